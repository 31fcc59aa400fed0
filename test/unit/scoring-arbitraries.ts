// Random rule sets, event histories and scoring settings for the engine's property tests.
import fc from "fast-check";
import { ruleSetSchema, type ScoringSettings } from "../../worker/scoring/rules";
import type { ScoredEvent } from "../../worker/scoring/event";

const TYPES = ["pageview", "video_play", "download", "signup", "email_open"] as const;
const TRAITS = [{ title: "Director" }, { title: "Engineer", employees: 120 }, { employees: "800" }, { title: "manager", employees: 60 }];
const PATHS = ["/", "/pricing", "/contact", "/blog/a", "/blog/b"] as const;
/** The time the generated histories start at. */
export const T0 = Date.UTC(2026, 0, 1);

const KINDS = ["event", "event", "event", "visit", "visitsMoreThan", "returnWithinDays", "distinctDays", "trait", "absent", "absentSince"] as const;

const ruleArb = fc.record({
  points: fc.integer({ min: -20, max: 30 }),
  kind: fc.constantFrom(...KINDS),
  event: fc.constantFrom(...TYPES, "pricing_view"),
  path: fc.option(fc.constantFrom("/pricing", "/contact", "/blog/*"), { nil: undefined }),
  n: fc.integer({ min: 1, max: 5 }),
  frequency: fc.constantFrom("every", "once"),
  maxPerDay: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  maxPointsPerDay: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  cap: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
  dimension: fc.constantFrom(undefined, "engagement", "fit", "custom"),
  from: fc.constantFrom(undefined, "web", "api"),
});

function whenOf(x: { kind: (typeof KINDS)[number]; event: string; path: string | undefined; n: number; from: string | undefined }) {
  switch (x.kind) {
    case "event":
      return { event: x.event, ...(x.path && x.event !== "pricing_view" ? { path: x.path } : {}), ...(x.from ? { from: x.from } : {}) };
    case "absentSince":
      return { absent: x.event === "pricing_view" ? "download" : x.event, days: x.n, since: "email_sent" };
    case "trait":
      return x.n % 2 ? { trait: "title", oneOf: ["Director", "Manager"] } : { trait: "employees", min: 50, max: 500 };
    case "absent":
      return { absent: x.event === "pricing_view" ? "download" : x.event, days: x.n };
    default:
      return { [x.kind]: x.n };
  }
}

const decayArb = fc.constantFrom(undefined, { halfLifeDays: 2 }, { halfLifeDays: 0.5 }, { expireDays: 1 }, { expireDays: 3 });

/** Rule sets of up to 8 rules of every kind, with and without decay, caps and limits. */
export const ruleSetArb = fc
  .record({
    prospectAt: fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }),
    rules: fc.array(ruleArb, { maxLength: 8 }),
    engagementDecay: decayArb,
    customDecay: decayArb,
    floor: fc.option(fc.integer({ min: -10, max: 5 }), { nil: undefined }),
  })
  .map((r) =>
    ruleSetSchema.parse({
      ...(r.prospectAt !== undefined ? { prospectAt: r.prospectAt } : {}),
      pricingPaths: ["/pricing"],
      dimensions: {
        engagement: { ...(r.engagementDecay ? { decay: r.engagementDecay } : {}), ...(r.floor !== undefined ? { floor: r.floor } : {}) },
        custom: r.customDecay ? { decay: r.customDecay } : {},
      },
      rules: r.rules.map((x, i) => {
        const limited = x.kind !== "trait" && x.kind !== "absent" && x.kind !== "absentSince";
        return {
          id: `r${i}`,
          points: x.points,
          when: whenOf(x),
          ...(x.dimension ? { dimension: x.dimension } : {}),
          ...(limited ? { frequency: x.frequency } : {}),
          ...(limited && x.maxPerDay ? { maxPerDay: x.maxPerDay } : {}),
          ...(limited && x.maxPointsPerDay ? { maxPointsPerDay: x.maxPointsPerDay } : {}),
          ...(limited && x.cap ? { cap: x.cap } : {}),
        };
      }),
    }),
  );

/** Histories of up to 60 events: gaps from seconds to days, and some events stamped before the previous one. */
export const eventsArb = fc
  .array(
    fc.record({
      type: fc.constantFrom(...TYPES, "identify", "email_sent", "outcome_rejected", "outcome_won", "outcome_accepted"),
      // Website events and API events (which keep their own times and make no visits).
      via: fc.constantFrom("web", "web", "api"),
      path: fc.constantFrom(...PATHS),
      gap: fc.integer({ min: -3_600_000, max: 2 * 86_400_000 }),
      traits: fc.constantFrom(...TRAITS),
    }),
    { maxLength: 60 },
  )
  .map((xs) => {
    let t = T0;
    return xs.map((x, i): ScoredEvent => {
      t += x.gap;
      const props = x.type === "identify" ? x.traits : x.type === "outcome_rejected" ? { reason: "no budget" } : x.type === "outcome_won" ? { value: 100 } : null;
      return { id: `e${i}`, type: x.type, ts: t, path: x.path, props, via: x.via };
    });
  });

/** Visit timeouts and timezones, a half-hour-offset one included. */
export const settingsArb = fc.record({
  visitTimeoutMs: fc.constantFrom(60_000, 30 * 60_000, 6 * 3_600_000),
  timezone: fc.constantFrom("UTC", "Europe/Madrid", "America/New_York", "Asia/Kathmandu"),
}) satisfies fc.Arbitrary<ScoringSettings>;
