import { describe, expect, it } from "vitest";
import { replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { ruleSetSchema } from "../../worker/scoring/rules";
import { scoreSteps } from "../../worker/scoring/score-steps";
import type { ScoredEvent } from "../../worker/scoring/event";

const settings = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 10, 2, 9);

const rules = ruleSetSchema.parse({
  prospectAt: 30,
  dimensions: { engagement: { decay: { halfLifeDays: 10 } } },
  rules: [
    { id: "pv", points: 1, when: { event: "pageview" } },
    { id: "pricing", points: 10, when: { event: "pageview", path: "/pricing" }, frequency: "once" },
    { id: "second-visit", points: 5, when: { visit: 2 } },
    { id: "cto", points: 20, when: { trait: "title", equals: "CTO" } },
    { id: "quiet", points: -5, when: { absent: "email_open", days: 3 } },
  ],
});

const events: ScoredEvent[] = [
  { id: "a", type: "pageview", ts: t0, path: "/" },
  { id: "b", type: "pageview", ts: t0 + 60_000, path: "/pricing" },
  { id: "b", type: "pageview", ts: t0 + 61_000, path: "/pricing" },
  { id: "c", type: "pageview", ts: t0 + 5 * HOUR, path: "/pricing" },
  { id: "d", type: "identify", ts: t0 + 5 * HOUR + 1, props: { title: "CTO" } },
  { id: "e", type: "pageview", ts: t0 + 100 * HOUR, path: "/" },
  { id: "f", type: "email_open", ts: t0 + 101 * HOUR },
];

describe("score steps", () => {
  const steps = [...scoreSteps(events, rules, settings)];

  it("yields one step per distinct event, ending where a full replay ends", () => {
    expect(steps.map((s) => s.event.id)).toEqual(["a", "b", "c", "d", "e", "f"]);
    const last = steps.at(-1)!;
    expect(last.total).toBe(evaluate(replay(events, rules, settings), rules, last.at).total);
  });

  it("names the points each event earned or moved, firings and held rules alike", () => {
    expect(steps.map((s) => s.points.map((p) => `${p.rule}${p.points >= 0 ? "+" : ""}${p.points}`))).toEqual([
      ["pv+1"],
      ["pv+1", "pricing+10"],
      ["second-visit+5", "pv+1"],
      ["cto+20"],
      // Three days without an email open: the absence rule already holds before the event; nothing moves.
      ["pv+1"],
      // The email open ends the absence: its -5 goes away.
      ["quiet+5"],
    ]);
  });

  it("keeps delta equal to the points moved at the event, and the score equal to its dimensions", () => {
    for (const s of steps) {
      expect(s.delta).toBeCloseTo(s.points.reduce((sum, p) => sum + p.points, 0), 2);
      expect(s.total).toBeCloseTo(Object.values(s.dimensions).reduce((a, b) => a + b, 0), 2);
    }
  });
});
