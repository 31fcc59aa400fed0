import { describe, expect, it } from "vitest";
import { DAY, HOUR, MIN, T0, ev, utc } from "../support/timeline";
import { replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import type { ScoredEvent } from "../../worker/scoring/event";

const set = (input: RuleSetInput) => ruleSetSchema.parse(input);
const scoreOf = (input: RuleSetInput, events: ScoredEvent[], at?: number) => {
  const rules = set(input);
  const state = replay(events, rules, utc);
  return evaluate(state, rules, at ?? state.lastTs ?? T0);
};

describe("fit rules on traits", () => {
  const fit: RuleSetInput = {
    prospectAt: 100,
    rules: [
      { id: "director", points: 10, when: { trait: "title", equals: "Director" } },
      { id: "manager", points: 5, when: { trait: "title", contains: "manager" } },
      { id: "mid-size", points: 8, when: { trait: "employees", min: 50, max: 500 } },
      { id: "tech", points: 10, when: { trait: "industry", oneOf: ["Technology", "Software"] } },
    ],
  };

  it("gives a trait's points once, however often the same traits are identified", () => {
    const once = scoreOf(fit, [ev("identify", T0, "/", { title: "Director" })]);
    const twice = scoreOf(fit, [ev("identify", T0, "/", { title: "Director" }), ev("identify", T0 + MIN, "/", { title: "Director" })]);
    expect(once.total).toBe(10);
    expect(twice.total).toBe(10);
    expect(twice.dimensions).toEqual({ engagement: 0, fit: 10 });
  });

  it("moves the points when a trait changes", () => {
    const s = scoreOf(fit, [ev("identify", T0, "/", { title: "Director" }), ev("identify", T0 + MIN, "/", { title: "Sales Manager" })]);
    expect(s.breakdown.map((b) => [b.rule, b.points])).toEqual([["manager", 5]]);
  });

  it.each([
    [{ employees: 120 }, 8],
    [{ employees: "250" }, 8],
    [{ employees: 501 }, 0],
    [{ industry: "software" }, 10],
    [{ title: "director", industry: "Technology", employees: 50 }, 28],
  ])("scores traits %j as %i", (traits, points) => {
    expect(scoreOf(fit, [ev("identify", T0, "/", traits)]).total).toBe(points);
  });
});

describe("visit rules", () => {
  const visits = (when: RuleSetInput["rules"][number]["when"], extra = {}) => ({ prospectAt: 100, rules: [{ id: "v", points: 10, when, ...extra }] });
  const threeVisits = [ev("pageview", T0), ev("pageview", T0 + 2 * HOUR), ev("pageview", T0 + 3 * DAY), ev("pageview", T0 + 3 * DAY + 2 * HOUR)];

  it.each([
    ["more than 3 visits", { visitsMoreThan: 3 }, threeVisits, 10],
    ["more than 4 visits", { visitsMoreThan: 4 }, threeVisits, 0],
    ["returns within 1 day (twice)", { returnWithinDays: 1 }, threeVisits, 20],
    ["returns within 5 days (three times)", { returnWithinDays: 5 }, threeVisits, 30],
    ["active on 2 distinct days", { distinctDays: 2 }, threeVisits, 10],
    ["active on 3 distinct days", { distinctDays: 3 }, threeVisits, 0],
  ])("%s", (_name, when, events, points) => {
    expect(scoreOf(visits(when), events).total).toBe(points);
  });

  it("applies frequency to returns within N days", () => {
    expect(scoreOf(visits({ returnWithinDays: 5 }, { frequency: "once" }), threeVisits).total).toBe(10);
  });
});

describe("limits", () => {
  const downloads = Array.from({ length: 6 }, (_, i) => ev("download", T0 + i * MIN));

  it.each([
    ["at most 2 per day", { maxPerDay: 2 }, 8],
    ["at most 10 points per day, the last firing giving the remainder", { maxPointsPerDay: 10 }, 10],
    ["a cap of 13 in all", { cap: 13 }, 13],
  ])("%s", (_name, limit, total) => {
    expect(scoreOf({ prospectAt: 100, rules: [{ id: "d", points: 4, when: { event: "download" }, ...limit }] }, downloads).total).toBe(total);
  });

  it("caps negative rules in absolute value", () => {
    expect(scoreOf({ prospectAt: 100, rules: [{ id: "d", points: -4, when: { event: "download" }, cap: 10 }] }, downloads).total).toBe(-10);
  });

  it("starts daily limits afresh the next day", () => {
    const twoDays = [...downloads, ev("download", T0 + DAY)];
    expect(scoreOf({ prospectAt: 100, rules: [{ id: "d", points: 4, when: { event: "download" }, maxPointsPerDay: 10 }] }, twoDays).total).toBe(14);
  });

  it("keeps a dimension at its floor", () => {
    const s = scoreOf({ prospectAt: 100, dimensions: { engagement: { floor: 0 } }, rules: [{ id: "bounce", points: -5, when: { event: "pageview" } }] }, [ev("pageview", T0)]);
    expect(s.total).toBe(0);
    expect(s.breakdown).toEqual([
      { rule: "floor:engagement", label: "engagement floor", dimension: "engagement", points: 5, earned: 0, fired: 0 },
      { rule: "bounce", label: "bounce", dimension: "engagement", points: -5, earned: -5, fired: 1 },
    ]);
  });
});

describe("absence rules", () => {
  const rules: RuleSetInput = {
    prospectAt: 100,
    rules: [
      { id: "opens", points: 5, when: { event: "email_open" }, frequency: "once" },
      { id: "no-opens", label: "Does not open emails", points: -10, when: { absent: "email_open", days: 30 } },
    ],
  };
  const opened = [ev("email_open", T0)];

  it("takes the points once the period passes without the event, and gives them back on the next one", () => {
    expect(scoreOf(rules, opened, T0 + 29 * DAY).total).toBe(5);
    expect(scoreOf(rules, opened, T0 + 30 * DAY).total).toBe(-5);
    const reopened = [...opened, ev("email_open", T0 + 40 * DAY)];
    expect(scoreOf(rules, reopened, T0 + 40 * DAY).total).toBe(5);
    expect(scoreOf(rules, reopened, T0 + 70 * DAY).total).toBe(-5);
  });

  it("counts the period from first seen for someone who never had the event", () => {
    expect(scoreOf(rules, [ev("pageview", T0)], T0 + 30 * DAY).breakdown).toEqual([
      { rule: "no-opens", label: "Does not open emails", dimension: "engagement", points: -10, earned: -10, fired: 1 },
    ]);
  });
});

describe("decay", () => {
  const tenPoints = [ev("pricing_view", T0)];
  const rule = [{ id: "p", points: 10, when: { event: "pricing_view" } }];

  it.each([
    [0, 10],
    [7 * DAY, 5],
    [14 * DAY, 2.5],
  ])("halves every 7 days with a 7-day half-life: after %i ms, %d", (after, points) => {
    const s = scoreOf({ prospectAt: 100, dimensions: { engagement: { decay: { halfLifeDays: 7 } } }, rules: rule }, tenPoints, T0 + after);
    expect(s.total).toBe(points);
    expect(s.breakdown[0]).toMatchObject({ rule: "p", points, earned: 10 });
  });

  it.each([
    [0, 10],
    [29 * DAY, 10],
    [30 * DAY, 0],
  ])("keeps points for 30 days with a 30-day expiry: after %i ms, %d", (after, points) => {
    expect(scoreOf({ prospectAt: 100, dimensions: { engagement: { decay: { expireDays: 30 } } }, rules: rule }, tenPoints, T0 + after).total).toBe(points);
  });

  it("leaves other dimensions alone", () => {
    const s = scoreOf(
      { prospectAt: 100, dimensions: { engagement: { decay: { halfLifeDays: 1 } } }, rules: [...rule, { id: "vp", points: 10, when: { trait: "title", equals: "VP" } }] },
      [...tenPoints, ev("identify", T0, "/", { title: "VP" })],
      T0 + 3 * DAY,
    );
    expect(s.dimensions).toEqual({ engagement: 1.25, fit: 10 });
  });

  it("drops a prospect whose points decayed below the threshold, and dates a new crossing at the event that makes it", () => {
    const rules = set({ prospectAt: 10, dimensions: { engagement: { decay: { halfLifeDays: 1 } } }, rules: rule });
    const before = replay([...tenPoints, ev("pageview", T0 + 2 * DAY)], rules, utc);
    expect(before.prospectSince).toBeNull();
    expect(evaluate(before, rules, T0 + 2 * DAY)).toMatchObject({ total: 2.5, prospect: false });
    const after = replay([...tenPoints, ev("pageview", T0 + 2 * DAY), ev("pricing_view", T0 + 3 * DAY)], rules, utc);
    expect(after.prospectSince).toBe(T0 + 3 * DAY);
  });
});

describe("classes and grades", () => {
  const rules: RuleSetInput = {
    prospectAt: 50,
    classes: [
      { name: "cold", min: 0 },
      { name: "warm", min: 20 },
      { name: "hot", min: 35 },
    ],
    grades: {
      fit: [
        { grade: "A", min: 20 },
        { grade: "B", min: 10 },
        { grade: "C", min: 0 },
      ],
      engagement: [
        { grade: "1", min: 30 },
        { grade: "2", min: 10 },
        { grade: "3", min: 0 },
      ],
    },
    rules: [
      { id: "pv", points: 6, when: { event: "pageview" } },
      { id: "director", points: 10, when: { trait: "title", equals: "Director" } },
    ],
  };

  it.each([
    [1, false, "cold", "C3"],
    [2, true, "warm", "B2"],
    [5, true, "hot", "B1"],
  ])("%i page views, director %s: class %s, grade %s", (views, director, cls, grade) => {
    const events = Array.from({ length: views }, (_, i) => ev("pageview", T0 + i * MIN));
    if (director) events.push(ev("identify", T0 + HOUR, "/", { title: "Director" }));
    const s = scoreOf(rules, events);
    expect([s.class, s.grade]).toEqual([cls, grade]);
  });
});

describe("event matching", () => {
  const rules: RuleSetInput = {
    prospectAt: 100,
    rules: [
      { id: "ebook", points: 15, when: { event: "download", fileName: "*ebook*" } },
      { id: "office", points: 3, when: { event: "download", fileExt: ["docx", "xlsx"] } },
      { id: "big-plan", points: 7, when: { event: "signup", props: { plan: { oneOf: ["team", "enterprise"] }, seats: { min: 10 } } } },
    ],
  };

  it.each([
    [ev("download", T0, "/", { file: "https://shop.example/files/Lead-Scoring-EBOOK.pdf?x=1" }), 15],
    [ev("download", T0, "/", { file: "/files/report.docx" }), 3],
    [ev("download", T0, "/", { file: "/files/report.pdf" }), 0],
    [ev("signup", T0, "/", { plan: "Team", seats: 12 }), 7],
    [ev("signup", T0, "/", { plan: "team", seats: 3 }), 0],
    [ev("signup", T0, "/", { plan: "solo", seats: 50 }), 0],
  ])("scores %j as %i", (event, points) => {
    expect(scoreOf(rules, [event]).total).toBe(points);
  });
});
