import websitePoints from "./examples/website-points.json";
import { ruleSetSchema, type RuleSet } from "./rules";

/**
 * The rules a new site starts with: the first worked example of lead scoring (1 point per page view,
 * 2 per video play, 5 per contact-page view, a one-time 10-point bonus on the third visit, prospect at 50).
 */
export const defaultRules: RuleSet = ruleSetSchema.parse(websitePoints);
