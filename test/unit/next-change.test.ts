import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { DAY_MS } from "../../worker/scoring/decay";
import { nextChangeAt } from "../../worker/scoring/next-change";
import { ruleSetSchema, type RuleSet, type RuleSetInput } from "../../worker/scoring/rules";
import type { ScoredEvent } from "../../worker/scoring/event";

const T0 = Date.UTC(2026, 0, 1, 9);
const settings = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
const set = (input: RuleSetInput): RuleSet => ruleSetSchema.parse(input);
const pageviews = (n: number, at = T0, type = "pageview"): ScoredEvent[] => Array.from({ length: n }, (_, i) => ({ id: `e${i}`, type, ts: at + i, path: "/" }));

/** What nextChangeAt promises to keep: prospect status, class, and which absence rules hold. */
function status(rules: RuleSet, events: ScoredEvent[], t: number) {
  const score = evaluate(replay(events, rules, settings), rules, t);
  const absent = new Set(rules.rules.filter((r) => r.when.absent !== undefined).map((r) => r.id));
  return { prospect: score.prospect, class: score.class, absent: score.breakdown.filter((b) => absent.has(b.rule)).map((b) => b.rule) };
}

describe("nextChangeAt", () => {
  it("is null when no rule or decay moves scores with time", () => {
    const rules = set({ prospectAt: 5, rules: [{ id: "pv", points: 1, when: { event: "pageview" } }] });
    expect(nextChangeAt(replay(pageviews(3), rules, settings), rules, T0 + 10)).toBeNull();
  });

  it("finds the closed-form crossing of one half-life dimension, to the millisecond", () => {
    // 100 points halve every 2 days: they reach 50 after exactly 2 days and fall below it right after.
    const rules = set({ prospectAt: 50, dimensions: { engagement: { decay: { halfLifeDays: 2 } } }, rules: [{ id: "pv", points: 100, when: { event: "pageview" } }] });
    const state = replay(pageviews(1), rules, settings);
    const next = nextChangeAt(state, rules, T0) as number;
    expect(next).toBeLessThanOrEqual(T0 + 2 * DAY_MS);
    expect(next).toBeGreaterThanOrEqual(T0 + 2 * DAY_MS - 2);
    expect(evaluate(state, rules, next - 1).prospect).toBe(true);
    expect(evaluate(state, rules, T0 + 2 * DAY_MS + 1).prospect).toBe(false);
  });

  it("takes class boundaries into account, the nearest one first", () => {
    const rules = set({
      prospectAt: 10,
      classes: [{ name: "hot", min: 80 }],
      dimensions: { engagement: { decay: { halfLifeDays: 1 } } },
      rules: [{ id: "pv", points: 100, when: { event: "pageview" } }],
    });
    const next = nextChangeAt(replay(pageviews(1), rules, settings), rules, T0) as number;
    // 100 -> 80 takes log2(100/80) = 0.32 days.
    expect(next).toBeGreaterThanOrEqual(T0 + Math.log2(100 / 80) * DAY_MS - 2);
    expect(next).toBeLessThanOrEqual(T0 + Math.log2(100 / 80) * DAY_MS);
  });

  it("does not call a score held on a class minimum by a dimension's floor about to change", () => {
    // Three decaying points under a -10 absence rule, floored at 0: the score sits on the cold minimum (0)
    // and stays there until an event; the director bonus keeps another lead on warm's minimum (10) the same way.
    const rules = set({
      prospectAt: 35,
      classes: [{ name: "cold", min: 0 }, { name: "warm", min: 10 }],
      dimensions: { engagement: { decay: { halfLifeDays: 60 }, floor: 0 } },
      rules: [
        { id: "pv", points: 1, when: { event: "pageview" }, dimension: "engagement" },
        { id: "quiet", points: -10, when: { absent: "pageview", days: 30 }, dimension: "engagement" },
        { id: "director", points: 10, when: { trait: "title", contains: "director" } },
      ],
    });
    const later = T0 + 40 * DAY_MS;
    const quiet = replay(pageviews(3), rules, settings);
    expect(evaluate(quiet, rules, later).total).toBe(0);
    expect(nextChangeAt(quiet, rules, later)).toBeNull();
    const director = replay([...pageviews(3), { id: "i", type: "identify", ts: T0 + 5, props: { title: "Sales director" } }], rules, settings);
    expect(evaluate(director, rules, later).total).toBe(10);
    expect(nextChangeAt(director, rules, later)).toBeNull();
  });

  it("answers when an absence period ends, counted from the last such event or first seen", () => {
    const rules = set({ prospectAt: 1000, rules: [{ id: "no-opens", points: -10, when: { absent: "email_open", days: 30 } }] });
    expect(nextChangeAt(replay(pageviews(2), rules, settings), rules, T0 + DAY_MS)).toBe(T0 + 30 * DAY_MS);
    const opened = [...pageviews(2), { id: "o", type: "email_open", ts: T0 + 5 * DAY_MS }];
    expect(nextChangeAt(replay(opened, rules, settings), rules, T0 + 6 * DAY_MS)).toBe(T0 + 35 * DAY_MS);
    // Once it holds, only an event can undo it.
    expect(nextChangeAt(replay(opened, rules, settings), rules, T0 + 40 * DAY_MS)).toBeNull();
  });

  it("counts an absence with since from the first unanswered since event, and never starts one without it", () => {
    const rules = set({ rules: [{ id: "no-reply", points: 10, when: { absent: "email_reply", days: 3, since: "email_sent" } }] });
    // No email sent: nothing can start to hold without an event, and no threshold to cross.
    expect(nextChangeAt(replay(pageviews(2), rules, settings), rules, T0 + DAY_MS)).toBeNull();
    const sent = [...pageviews(2), { id: "s", type: "email_sent", ts: T0 + 2 * DAY_MS }];
    expect(nextChangeAt(replay(sent, rules, settings), rules, T0 + 2 * DAY_MS)).toBe(T0 + 5 * DAY_MS);
    // Answered: nothing is awaited any more.
    const answered = [...sent, { id: "r", type: "email_reply", ts: T0 + 3 * DAY_MS }];
    expect(nextChangeAt(replay(answered, rules, settings), rules, T0 + 3 * DAY_MS)).toBeNull();
  });

  it("answers the UTC midnight at which expiring points take the score below the threshold", () => {
    const rules = set({ prospectAt: 3, dimensions: { engagement: { decay: { expireDays: 2 } } }, rules: [{ id: "pv", points: 1, when: { event: "pageview" } }] });
    const day = Math.floor(T0 / DAY_MS);
    // 3 today, 2 tomorrow: the first drop already leaves the score under 3.
    const events = [...pageviews(2, T0), ...pageviews(2, T0 + DAY_MS).map((e) => ({ ...e, id: `n${e.id}` }))];
    expect(nextChangeAt(replay(events, rules, settings), rules, T0 + DAY_MS + 10)).toBe((day + 2) * DAY_MS);
  });

  it("bounds a crossing from below when dimensions decay at different rates and signs", () => {
    const rules = set({
      prospectAt: 40,
      dimensions: { engagement: { decay: { halfLifeDays: 1 } }, penalty: { decay: { halfLifeDays: 5 } } },
      rules: [
        { id: "pv", points: 100, when: { event: "pageview" } },
        { id: "dl", points: -30, dimension: "penalty", when: { event: "download" } },
      ],
    });
    const events = [...pageviews(1), { id: "d", type: "download", ts: T0 + 1 }];
    const state = replay(events, rules, settings);
    const next = nextChangeAt(state, rules, T0 + 1) as number;
    expect(evaluate(state, rules, next - 1).prospect).toBe(true);
    // Found from below to within a millisecond or so of where the score really drops under 40.
    expect(evaluate(state, rules, next + 5).prospect).toBe(false);
  });

  const TYPES = ["pageview", "download", "email_open"] as const;
  const decayArb = fc.constantFrom(undefined, { halfLifeDays: 2 }, { halfLifeDays: 0.5 }, { expireDays: 1 }, { expireDays: 3 });
  const rulesArb = fc
    .record({
      prospectAt: fc.option(fc.integer({ min: -10, max: 60 }), { nil: undefined }),
      classes: fc.array(fc.integer({ min: -20, max: 80 }), { maxLength: 3 }),
      engagement: decayArb,
      other: decayArb,
      floor: fc.option(fc.integer({ min: -10, max: 10 }), { nil: undefined }),
      rules: fc.array(
        fc.record({ kind: fc.constantFrom("event", "event", "absent", "absent-since", "trait"), type: fc.constantFrom(...TYPES), points: fc.integer({ min: -30, max: 40 }), days: fc.integer({ min: 1, max: 10 }), other: fc.boolean() }),
        { minLength: 1, maxLength: 6 },
      ),
    })
    .map((r) =>
      set({
        ...(r.prospectAt !== undefined ? { prospectAt: r.prospectAt } : {}),
        classes: [...new Set(r.classes)].map((min, i) => ({ name: `c${i}`, min })),
        dimensions: {
          engagement: { ...(r.engagement ? { decay: r.engagement } : {}), ...(r.floor !== undefined ? { floor: r.floor } : {}) },
          other: r.other ? { decay: r.other } : {},
        },
        rules: r.rules.map((x, i) => ({
          id: `r${i}`,
          points: x.points,
          ...(x.other && x.kind !== "trait" ? { dimension: "other" } : {}),
          when:
            x.kind === "absent"
              ? { absent: x.type, days: x.days }
              : x.kind === "absent-since"
                ? { absent: x.type, days: x.days, since: TYPES.find((t) => t !== x.type) as string }
                : x.kind === "trait" ? { trait: "title", equals: "Director" } : { event: x.type },
        })),
      }),
    );
  const eventsArb = fc
    .array(fc.record({ type: fc.constantFrom(...TYPES, "identify"), gap: fc.integer({ min: 0, max: 3 * DAY_MS }) }), { minLength: 1, maxLength: 25 })
    .map((xs) => {
      let t = T0;
      return xs.map((x, i): ScoredEvent => {
        t += x.gap;
        return { id: `e${i}`, type: x.type, ts: t, path: "/", props: x.type === "identify" ? { title: "Director" } : null };
      });
    });

  it("never answers later than a change: before it, status stays as it was (property)", () => {
    fc.assert(
      fc.property(rulesArb, eventsArb, fc.integer({ min: 0, max: 20 * DAY_MS }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), (rules, events, wait, samples) => {
        const state = replay(events, rules, settings);
        const after = (state.lastTs as number) + wait;
        const next = nextChangeAt(state, rules, after);
        if (next !== null) expect(next).toBeGreaterThan(after);
        const until = next ?? after + 400 * DAY_MS;
        const before = status(rules, events, after);
        for (const t of [until - 1, ...samples.map((s) => after + Math.floor(s * (until - after)))]) {
          if (t < after || t >= until) continue;
          expect(status(rules, events, t), `at after + ${t - after} ms (next ${next === null ? "null" : next - after})`).toEqual(before);
        }
      }),
      { numRuns: 500 },
    );
  });
});
