import { describe, expect, it } from "vitest";
import { HOUR, MIN, T0, ev, utc } from "../support/timeline";
import { apply, replay } from "../../worker/scoring/engine";
import { totalScore } from "../../worker/scoring/evaluate";
import { defaultRules } from "../../worker/scoring/default-rules";
import { ruleSetSchema, type RuleSet, type RuleSetInput, type ScoringSettings } from "../../worker/scoring/rules";
import { emptyState, type ScoreState } from "../../worker/scoring/state";

const rules = (input: RuleSetInput) => ruleSetSchema.parse(input);
/** The score as of the visitor's last event. */
const total = (state: ScoreState, set: RuleSet) => totalScore(state, set, state.lastTs ?? 0);

describe("the first worked example (website points)", () => {
  it("gives 1 per page view, 2 per video, 5 per contact view and a one-time 10 on the third visit", () => {
    const events = [
      // visit 1: two page views, one video
      ev("pageview", T0, "/"),
      ev("pageview", T0 + 1 * MIN, "/video"),
      ev("video_play", T0 + 2 * MIN, "/video"),
      // visit 2, an hour later: the contact page
      ev("pageview", T0 + HOUR, "/contact"),
      // visit 3: bonus, a page view, another contact view
      ev("pageview", T0 + 3 * HOUR, "/pricing"),
      ev("pageview", T0 + 3 * HOUR + MIN, "/contact"),
      // visit 4: no second bonus
      ev("pageview", T0 + 5 * HOUR, "/"),
    ];
    const state = replay(events, defaultRules, utc);
    expect(state.visits).toBe(4);
    expect(state.rules).toEqual({
      "page-view": { raw: 6, fired: 6 },
      "video-play": { raw: 2, fired: 1 },
      "contact-page": { raw: 10, fired: 2 },
      "third-visit": { raw: 10, fired: 1 },
    });
    expect(total(state, defaultRules)).toBe(28);
    expect(state.prospectSince).toBeNull();
  });

  it("marks a prospect when the score reaches 50, at the time it did, and unmarks it below", () => {
    const set = rules({ prospectAt: 50, rules: [{ id: "pv", points: 10, when: { event: "pageview" } }, { id: "unsub", points: -30, when: { event: "unsubscribe" } }] });
    let state = emptyState();
    for (let i = 0; i < 5; i++) state = apply(state, ev("pageview", T0 + i * MIN), set, utc).state;
    expect(total(state, set)).toBe(50);
    expect(state.prospectSince).toBe(T0 + 4 * MIN);
    state = apply(state, ev("pageview", T0 + 10 * MIN), set, utc).state;
    expect(state.prospectSince).toBe(T0 + 4 * MIN);
    state = apply(state, ev("unsubscribe", T0 + 11 * MIN), set, utc).state;
    expect(total(state, set)).toBe(30);
    expect(state.prospectSince).toBeNull();
  });
});

describe("rule frequency", () => {
  it.each([
    ["every", {}, 4],
    ["once", { frequency: "once" as const }, 1],
    ["at most 2 a day", { maxPerDay: 2 }, 2],
  ])("%s", (_name, extra, fired) => {
    const set = rules({ prospectAt: 100, rules: [{ id: "r", points: 3, when: { event: "download" }, ...extra }] });
    const state = replay([0, 1, 2, 3].map((i) => ev("download", T0 + i * MIN)), set, utc);
    expect(state.rules.r).toMatchObject({ fired, raw: 3 * fired });
  });

  it("resets a daily cap at local midnight in the site's timezone", () => {
    const set = rules({ prospectAt: 100, rules: [{ id: "r", points: 1, when: { event: "pageview" }, maxPerDay: 1 }] });
    const madrid: ScoringSettings = { visitTimeoutMs: 30 * MIN, timezone: "Europe/Madrid" };
    // 22:30 and 23:30 UTC on Nov 2 are 23:30 on Nov 2 and 00:30 on Nov 3 in Madrid (UTC+1).
    const late = Date.UTC(2026, 10, 2, 22, 30);
    const events = [ev("pageview", late), ev("pageview", late + HOUR)];
    expect(replay(events, set, madrid).rules.r?.fired).toBe(2);
    expect(replay(events, set, utc).rules.r?.fired).toBe(1);
  });
});

describe("visits", () => {
  it("starts a new visit only after a gap longer than the timeout", () => {
    const events = [ev("pageview", T0), ev("pageview", T0 + 30 * MIN), ev("pageview", T0 + 61 * MIN)];
    expect(replay(events, defaultRules, utc).visits).toBe(2);
  });

  it("fires a visit rule on the event that starts the Nth visit, once", () => {
    const set = rules({ prospectAt: 100, rules: [{ id: "second", points: 7, when: { visit: 2 } }] });
    const first = replay([ev("pageview", T0), ev("pageview", T0 + HOUR)], set, utc);
    expect(first.rules.second).toEqual({ raw: 7, fired: 1 });
    expect(replay([ev("pageview", T0), ev("pageview", T0 + 10 * MIN)], set, utc).rules.second).toBeUndefined();
  });

  it("takes an event stamped before the previous one as happening at the previous one's time", () => {
    const state = replay([ev("pageview", T0 + 2 * HOUR), ev("pageview", T0)], defaultRules, utc);
    expect(state.visits).toBe(1);
    expect(state.lastTs).toBe(T0 + 2 * HOUR);
  });
});

describe("matching", () => {
  it("counts page views on the site's pricing paths as pricing_view too", () => {
    const set = rules({ prospectAt: 100, pricingPaths: ["/pricing", "/plans/*"], rules: [{ id: "pricing", points: 20, when: { event: "pricing_view" } }] });
    const state = replay([ev("pageview", T0, "/pricing"), ev("pageview", T0 + MIN, "/plans/team"), ev("pageview", T0 + 2 * MIN, "/pricing-old")], set, utc);
    expect(state.rules.pricing).toEqual({ raw: 40, fired: 2 });
  });

  it.each([
    ["/blog/*", "/blog/lead-scoring", true],
    ["/blog/*", "/blog", false],
    ["/docs/:page", "/docs/setup", true],
    ["/contact", "/contact/", false],
  ])("path pattern %s on %s: %s", (pattern, path, matches) => {
    const set = rules({ prospectAt: 100, rules: [{ id: "p", points: 1, when: { event: "pageview", path: pattern } }] });
    expect(total(replay([ev("pageview", T0, path)], set, utc), set)).toBe(matches ? 1 : 0);
  });

  it("keeps the email and the latest traits of identify events", () => {
    const state = replay(
      [
        { id: "a1", type: "identify", ts: T0, props: { email: "Ana@Example.com", title: "Manager" } },
        { id: "a2", type: "identify", ts: T0 + MIN, props: { title: "Director", industry: "Technology" } },
      ],
      defaultRules,
      utc,
    );
    expect(state.email).toBe("ana@example.com");
    expect(state.traits).toEqual({ title: "Director", industry: "Technology" });
  });
});

describe("rule set validation", () => {
  it.each([
    [{ prospectAt: 50, rules: [{ id: "x", points: 1, when: {} }] }, "rules.0.when"],
    [{ prospectAt: 50, rules: [{ id: "x", points: 1, when: { event: "pageview", visit: 2 } }] }, "rules.0.when"],
    [{ prospectAt: 50, rules: [{ id: "x", points: "1", when: { event: "pageview" } }] }, "rules.0.points"],
    [{ prospectAt: 50, rules: [{ id: "Bad Id", points: 1, when: { event: "pageview" } }] }, "rules.0.id"],
    [{ prospectAt: 50, rules: [{ id: "x", points: 1, when: { visit: 2, path: "/a" } }] }, "rules.0.when.path"],
    [{ prospectAt: 50, rules: [{ id: "x", points: 1, when: { event: "pageview", path: "no-slash" } }] }, "rules.0.when.path"],
    [{ prospectAt: 50, rules: [{ id: "x", points: 1, when: { event: "pageview" } }, { id: "x", points: 2, when: { event: "download" } }] }, "rules.1.id"],
    [{ prospectAt: "50", rules: [] }, "prospectAt"],
    [{ rules: [{ id: "x", points: 1, when: { visit: 2, from: "api" } }] }, "rules.0.when.from"],
    [{ rules: [{ id: "x", points: 1, when: { event: "signup", from: "email" } }] }, "rules.0.when.from"],
    [{ rules: [{ id: "x", points: 1, when: { event: "signup", since: "email_sent" } }] }, "rules.0.when.since"],
    [{ rules: [{ id: "x", points: -1, when: { absent: "email_open", days: 30, since: "email_open" } }] }, "rules.0.when.since"],
  ])("refuses %j at %s", (input, where) => {
    const result = ruleSetSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(where);
  });
});
