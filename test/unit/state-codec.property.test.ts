import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply, replay } from "../../worker/scoring/engine";
import { ruleSetSchema } from "../../worker/scoring/rules";
import { emptyState, type ScoreState } from "../../worker/scoring/state";
import { decodeState, encodeState } from "../../worker/store/state-codec";
import { benchRules } from "../bench/scale/rules";
import { templates } from "../bench/scale/templates";
import { eventsArb, ruleSetArb, settingsArb } from "./scoring-arbitraries";

/** What a state is once stored as plain JSON: undefined fields gone, maps plain objects. */
const asJson = (s: ScoreState): unknown => JSON.parse(JSON.stringify(s));

const timeArb = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 0.5, -1),
);
const nameArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "toString", "rules", "n", "t"));
const dayArb = fc.oneof(
  fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom("2026-02-30", "0000-00-00", "2026-13-01", "not a day", ""),
);
const daysArb = fc.dictionary(fc.integer({ min: 0, max: 40_000 }).map(String), fc.double({ noNaN: true, noDefaultInfinity: true }), { maxKeys: 3 });
const earnedArb = fc.record(
  { raw: fc.double({ noNaN: true, noDefaultInfinity: true }), value: fc.double({ noNaN: true, noDefaultInfinity: true }), at: timeArb, days: daysArb },
  { requiredKeys: ["raw"] },
);
const tallyArb = fc.record(
  {
    raw: fc.integer({ min: -100, max: 100 }),
    fired: fc.nat(),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    at: timeArb,
    day: dayArb,
    dayFired: fc.nat(),
    dayPoints: fc.integer({ min: -50, max: 50 }),
    days: daysArb,
  },
  { requiredKeys: ["raw", "fired"] },
);
const map = <T>(values: fc.Arbitrary<T>) => fc.dictionary(nameArb, values, { maxKeys: 4 });

/** Any state the type allows, also ones the engine never makes (fractional or huge times, odd day strings, odd keys). */
const stateArb: fc.Arbitrary<ScoreState> = fc
  .record({
    n: fc.nat(),
    firstTs: fc.option(timeArb, { nil: null }),
    lastTs: fc.option(timeArb, { nil: null }),
    lastWebTs: fc.option(timeArb, { nil: null }),
    visits: fc.nat(),
    visitStart: fc.option(timeArb, { nil: null }),
    activeDays: fc.nat(),
    lastDay: fc.option(dayArb, { nil: null }),
    rules: map(tallyArb),
    dimensions: map(earnedArb),
    lastOf: map(timeArb),
    awaiting: fc.option(map(timeArb), { nil: undefined }),
    outcome: fc.option(
      fc.record({ outcome: fc.constantFrom("accepted", "rejected", "won", "lost" as const), at: timeArb, reason: fc.string(), held: fc.constant(true) }, { requiredKeys: ["outcome", "at"] }),
      { nil: undefined },
    ),
    prospectSince: fc.option(timeArb, { nil: null }),
    email: fc.option(fc.emailAddress(), { nil: null }),
    emailVerified: fc.boolean(),
    traits: map(fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean())),
  })
  .map((s) => {
    const state: ScoreState = { ...s };
    if (s.awaiting === undefined) delete state.awaiting;
    if (s.outcome === undefined) delete state.outcome;
    return state;
  });

describe("the stored form of the score state", () => {
  it("reads back every state exactly as plain JSON would", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        expect(asJson(decodeState(encodeState(state)))).toEqual(asJson(state));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps keys that Object.prototype answers to as plain entries", () => {
    const state = { ...emptyState(), n: 1, firstTs: 5, rules: JSON.parse('{"__proto__":{"raw":1,"fired":1}}'), traits: JSON.parse('{"__proto__":"x","constructor":2}') };
    const back = decodeState(encodeState(state));
    expect(Object.keys(back.rules)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(back.rules["__proto__"])).toBe(Object.prototype);
    expect(Object.keys(back.traits)).toEqual(["__proto__", "constructor"]);
  });

  it("scores incrementally exactly as a replay when the state is stored between batches", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, fc.array(fc.boolean(), { maxLength: 60 }), (events, rules, settings, cuts) => {
        let state = emptyState();
        events.forEach((e, i) => {
          state = apply(state, e, rules, settings).state;
          if (cuts[i]) state = decodeState(encodeState(state));
        });
        expect(decodeState(encodeState(state))).toEqual(replay(events, rules, settings));
      }),
      { numRuns: 200 },
    );
  });

  it("reads states stored in the long-key form, and scores on from them as from the compact form", () => {
    fc.assert(
      fc.property(eventsArb, ruleSetArb, settingsArb, fc.nat(), (events, rules, settings, cut) => {
        const at = events.length === 0 ? 0 : cut % events.length;
        const before = replay(events.slice(0, at), rules, settings);
        const fromLong = decodeState(JSON.stringify(before));
        expect(asJson(fromLong)).toEqual(asJson(before));
        let state = fromLong;
        for (const e of events.slice(at)) state = decodeState(encodeState(apply(state, e, rules, settings).state));
        expect(state).toEqual(replay(events, rules, settings));
      }),
      { numRuns: 200 },
    );
  });

  it("reads the oldest long-key states (no lastWebTs, no emailVerified) as scoring treats them", () => {
    const legacy = JSON.stringify({ n: 2, firstTs: 1000, lastTs: 5000, visits: 1, visitStart: 1000, activeDays: 1, lastDay: "2026-01-01", rules: {}, dimensions: {}, lastOf: {}, prospectSince: null, email: "a@b.example", traits: {} });
    const read = decodeState(legacy);
    expect(read.lastWebTs).toBeUndefined();
    expect(read.emailVerified).toBeUndefined();
    // Rewritten in the compact form: website time is the last time (as the engine reads a missing one), and
    // the email stays unverified.
    const rewritten = decodeState(encodeState(read));
    expect(rewritten).toMatchObject({ lastWebTs: 5000, lastTs: 5000, emailVerified: false, email: "a@b.example" });
  });

  it("keeps a typical lead's state well under the row size that spills to an overflow page", () => {
    const rules = ruleSetSchema.parse(benchRules());
    const states = templates(200, rules, Date.UTC(2026, 10, 1)).map((t) => t.state);
    const compact = states.map((s) => encodeState(s).length);
    const long = states.map((s) => JSON.stringify(s).length);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // A visitor row spills past about 1,000 bytes at 4 KB pages; the id, email and source take about 200.
    expect(Math.max(...compact)).toBeLessThan(700);
    expect(sum(compact)).toBeLessThan(0.55 * sum(long));
  });
});
