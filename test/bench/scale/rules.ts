// The bench site's rule sets: time-dependent (a decaying dimension and an absence rule), so every
// whole-site operation takes its hardest path: prospect lists, the cron sweep and rescoring.
import type { RuleSetInput } from "../../../worker/scoring/rules";

/** The rules the seeded site is scored under. */
export function benchRules(pageViewPoints = 1): RuleSetInput {
  return {
    prospectAt: 35,
    classes: [
      { name: "cold", min: 0 },
      { name: "warm", min: 10 },
      { name: "hot", min: 25 },
      { name: "prospect", min: 35 },
    ],
    pricingPaths: ["/pricing"],
    dimensions: { engagement: { decay: { halfLifeDays: 60 }, floor: 0 } },
    rules: [
      { id: "page-view", points: pageViewPoints, when: { event: "pageview" }, maxPerDay: 10 },
      { id: "pricing", points: 6, when: { event: "pageview", path: "/pricing" } },
      { id: "contact", points: 8, when: { event: "pageview", path: "/contact" } },
      { id: "video", points: 3, when: { event: "video_play" } },
      { id: "whitepaper", points: 10, when: { event: "download", fileExt: ["pdf"] }, frequency: "once" },
      { id: "email-open", points: 1, when: { event: "email_open" }, maxPointsPerDay: 3 },
      { id: "email-click", points: 4, when: { event: "email_click" } },
      { id: "form", points: 15, when: { event: "form_submit" } },
      { id: "third-visit", points: 5, when: { visit: 3 } },
      { id: "director", points: 10, when: { trait: "title", contains: "director" } },
      { id: "gone-quiet", points: -10, when: { absent: "pageview", days: 30 } },
    ],
  };
}
