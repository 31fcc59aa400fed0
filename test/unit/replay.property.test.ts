import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply, dedupe, replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { emptyState } from "../../worker/scoring/state";
import type { ScoredEvent } from "../../worker/scoring/event";
import { eventsArb, ruleSetArb, settingsArb, T0 } from "./scoring-arbitraries";

describe("the engine's properties", () => {
  it("scores incrementally exactly as a full replay of the same events", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, (events, rules, settings) => {
        let state = emptyState();
        for (const e of events) state = apply(state, e, rules, settings).state;
        expect(state).toEqual(replay(events, rules, settings));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same state when it is stored as JSON between batches, as the collector does", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, fc.array(fc.boolean(), { maxLength: 60 }), (events, rules, settings, cuts) => {
        let state = emptyState();
        events.forEach((e, i) => {
          state = apply(state, e, rules, settings).state;
          if (cuts[i]) state = JSON.parse(JSON.stringify(state));
        });
        expect(JSON.parse(JSON.stringify(state))).toEqual(replay(events, rules, settings));
      }),
      { numRuns: 200 },
    );
  });

  it("counts duplicated events once, wherever the copies land", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, fc.array(fc.nat(), { maxLength: 20 }), (events, rules, settings, picks) => {
        fc.pre(events.length > 0);
        const withCopies = [...events];
        for (const p of picks) {
          const copy = events[p % events.length] as ScoredEvent;
          // Anywhere after the original: a copy arrives after the event it copies.
          const first = withCopies.findIndex((e) => e.id === copy.id);
          const at = first + 1 + (p % (withCopies.length - first));
          withCopies.splice(at, 0, { ...copy });
        }
        expect(dedupe(withCopies)).toEqual(events);
        expect(replay(withCopies, rules, settings)).toEqual(replay(events, rules, settings));
      }),
      { numRuns: 300 },
    );
  });

  it("never changes the state it is given", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, (events, rules, settings) => {
        const before = replay(events.slice(0, -1), rules, settings);
        const copy = structuredClone(before);
        const last = events.at(-1);
        if (last) apply(before, last, rules, settings);
        expect(before).toEqual(copy);
      }),
      { numRuns: 100 },
    );
  });

  it("makes the score the sum of the per-rule breakdown", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, (events, rules, settings) => {
        const state = replay(events, rules, settings);
        const score = evaluate(state, rules, state.lastTs ?? T0);
        const sum = score.breakdown.reduce((s, r) => s + r.points, 0);
        // Each figure is rounded to cents for display.
        expect(Math.abs(score.total - sum)).toBeLessThanOrEqual(0.005 * (score.breakdown.length + 1));
      }),
      { numRuns: 100 },
    );
  });
});
