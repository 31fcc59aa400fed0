import { ruleSetSchema, type RuleSet } from "./rules";

/**
 * The rules a new site starts with: the first worked example of lead scoring (1 point per page view,
 * 2 per video play, 5 per contact-page view, a one-time 10-point bonus on the third visit, prospect at 50).
 */
export const defaultRules: RuleSet = ruleSetSchema.parse({
  prospectAt: 50,
  pricingPaths: ["/pricing", "/pricing/*"],
  rules: [
    { id: "page-view", label: "Page view", points: 1, when: { event: "pageview" }, frequency: "every" },
    { id: "video-play", label: "Video play", points: 2, when: { event: "video_play" }, frequency: "every" },
    { id: "contact-page", label: "Contact page view", points: 5, when: { event: "pageview", path: "/contact" }, frequency: "every" },
    { id: "third-visit", label: "Came back a third time", points: 10, when: { visit: 3 }, frequency: "once" },
  ],
});
