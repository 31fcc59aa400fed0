import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply, replay } from "../../worker/scoring/engine";
import { evaluate, totalScore } from "../../worker/scoring/evaluate";
import { rollUpChunk } from "../../worker/scoring/accounts";
import { ruleSetSchema, type RuleSet } from "../../worker/scoring/rules";
import { emptyState, type ScoreState } from "../../worker/scoring/state";
import type { ScoredEvent } from "../../worker/scoring/event";
import { parseRuleSet } from "../../worker/routes/rules";
import { ApiError } from "../../worker/lib/errors";
import { decodeState, encodeState } from "../../worker/store/state-codec";

/** Every name Object.prototype answers to: what a plain-object map would wrongly "contain". */
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);
const T0 = Date.UTC(2026, 0, 5, 12);
const SETTINGS = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };

type Kind = "event" | "props" | "trait" | "absent";

/** A rule set as an API body would carry it: JSON text, so __proto__ is an own key as JSON.parse makes it. */
function ruleSetText(ruleId: string, dimension: string, kind: Kind, name: string, points: number, decay: boolean): string {
  const when =
    kind === "event"
      ? { event: "pageview" }
      : kind === "props"
        ? { event: "signup", props: { [name]: { equals: "yes" } } }
        : kind === "trait"
          ? { trait: name, equals: "yes" }
          : { absent: name, days: 1 };
  return JSON.stringify({
    prospectAt: 10,
    dimensions: { [dimension]: { floor: -5, ...(decay ? { decay: { halfLifeDays: 1 } } : {}) } },
    rules: [
      { id: ruleId, points, dimension, when },
      { id: "plain-page", points: 1, when: { event: "pageview" } },
    ],
  });
}

/** The rule set as the API would take it, or null when the API answers 400. */
function accepted(text: string): RuleSet | null {
  try {
    return parseRuleSet(JSON.parse(text));
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return null;
    throw err;
  }
}

function events(name: string): ScoredEvent[] {
  return [
    { id: "e1", type: "pageview", ts: T0, path: "/" },
    { id: "e2", type: "signup", ts: T0 + 60_000, path: "/", props: JSON.parse(JSON.stringify({ [name]: "yes", other: 1 })) },
    { id: "e3", type: "identify", ts: T0 + 120_000, path: "/", props: JSON.parse(JSON.stringify({ [name]: "yes" })) },
    { id: "e4", type: "pageview", ts: T0 + 2 * 86_400_000, path: "/" },
  ];
}

/** Scores events one by one with the state stored in between, as the collector does. */
function stored(evs: ScoredEvent[], rules: RuleSet): ScoreState {
  let state = emptyState();
  for (const e of evs) state = decodeState(encodeState(apply(state, e, rules, SETTINGS).state));
  return state;
}

describe("names that Object.prototype answers to", () => {
  it("either are refused like any bad name, or score exactly as a plain name would", () => {
    const name = fc.constantFrom(...PROTO_NAMES);
    fc.assert(
      fc.property(name, name, fc.constantFrom<Kind>("event", "props", "trait", "absent"), name, fc.integer({ min: -20, max: 20 }), fc.boolean(), (ruleId, dimension, kind, other, points, decay) => {
        const rules = accepted(ruleSetText(ruleId, dimension, kind, other, points, decay));
        if (rules === null) return;
        // Accepted: nothing was dropped on the way, and renaming everything to plain names changes no number.
        expect(rules.rules[0]?.id).toBe(ruleId);
        expect(Object.keys(rules.dimensions)).toEqual([dimension]);
        const plain = ruleSetSchema.parse(JSON.parse(ruleSetText("plain-rule", "plain", kind, "plainname", points, decay)));
        const t = T0 + 3 * 86_400_000;
        for (const state of [replay(events(other), rules, SETTINGS), stored(events(other), rules)]) {
          const plainState = replay(events("plainname"), plain, SETTINGS);
          const score = evaluate(state, rules, t);
          const plainScore = evaluate(plainState, plain, t);
          expect(score.total).toBe(plainScore.total);
          expect(totalScore(state, rules, t)).toBe(totalScore(plainState, plain, t));
          // A score is always the sum of its explanation (each part rounded to cents).
          expect(score.breakdown.reduce((sum, b) => sum + b.points, 0)).toBeCloseTo(score.total, 1);
          expect(score.breakdown.map((b) => b.points)).toEqual(plainScore.breakdown.map((b) => b.points));
          expect(rollUpChunk([{ id: "v", account: "initech", state, rules }], null, true, t).closed[0]?.score).toBe(score.total);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("answers 400 for a __proto__ key anywhere in a rule set, instead of dropping it", () => {
    for (const text of [
      '{"prospectAt":1,"dimensions":{"__proto__":{"floor":5}},"rules":[]}',
      '{"prospectAt":1,"rules":[{"id":"a","points":1,"when":{"event":"signup","props":{"__proto__":{"equals":1}}}}]}',
      '{"prospectAt":1,"rules":[],"__proto__":{"x":1}}',
    ]) {
      expect(() => parseRuleSet(JSON.parse(text))).toThrow(/__proto__/);
    }
  });
});
