/** Points a rule or dimension has earned, kept so decay can be applied at any later time. */
export interface Earned {
  /** Points earned in all, before decay. */
  raw: number;
  /** Half-life decay: the decayed value as of `at` (ms). */
  value?: number;
  at?: number;
  /** Expiry decay: points per UTC day number, for the days still inside the window. */
  days?: Record<string, number>;
}

/** What the engine remembers per rule: enough to apply caps and decay without re-reading history. */
export interface RuleTally extends Earned {
  fired: number;
  /** Local day (YYYY-MM-DD) that dayFired and dayPoints count. */
  day?: string;
  dayFired?: number;
  dayPoints?: number;
}

/**
 * A visitor's complete scoring state. Its size is bounded by the number of rules and dimensions, never by
 * history, which is what keeps the cost of scoring one event flat.
 */
export interface ScoreState {
  /** Events applied so far. */
  n: number;
  /** Effective time of the first and last event (ms); effective times never go backwards. */
  firstTs: number | null;
  lastTs: number | null;
  visits: number;
  visitStart: number | null;
  /** Local days with activity, and the last of them. */
  activeDays: number;
  lastDay: string | null;
  rules: Record<string, RuleTally>;
  dimensions: Record<string, Earned>;
  /** Last time of each event type that an absence rule watches. */
  lastOf: Record<string, number>;
  /** When the score last reached the prospect threshold, as of the last event; null below it. */
  prospectSince: number | null;
  /** Identity from identify events: the lead's email and traits (latest value of each wins). */
  email: string | null;
  /**
   * True when the email came from a verified identify (signed by the site's backend, or sent through the
   * token-authenticated API); false while it is only a browser's claim. Absent (false) in states stored
   * before verification existed that had no email; the migration marked those with one as verified.
   */
  emailVerified?: boolean;
  traits: Record<string, Trait>;
}

/** A trait value, as identify and server-side events set them. */
export type Trait = string | number | boolean;

/** At most this many distinct traits are kept per visitor; further new keys are ignored. */
export const MAX_TRAITS = 50;

// Instances of this constructor inherit from an empty object that itself has no prototype: nothing of
// Object.prototype is reachable, yet V8 keeps them as fast objects (Object.create(null) makes slow ones).
function PrototypeFree(): void {}
PrototypeFree.prototype = Object.create(null) as object;

/**
 * A map that inherits nothing from Object.prototype: rule ids, dimension names, event types and traits
 * are user-chosen strings, and a plain object would answer `constructor` or `toString` from it.
 */
export function dict<T>(entries?: Record<string, T>): Record<string, T> {
  const out = new (PrototypeFree as unknown as new () => Record<string, T>)();
  if (entries) for (const key of Object.keys(entries)) out[key] = entries[key] as T;
  return out;
}

/** A map entry only when the map itself holds it (never one inherited from a prototype). */
export function own<T>(map: Record<string, T> | null | undefined, key: string): T | undefined {
  return map != null && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The lead's email when a verified identify set it, else null: the only email that may join leads. */
export function verifiedEmail(state: ScoreState): string | null {
  return state.emailVerified === true ? state.email : null;
}

/** The state of a visitor the collector has never seen. */
export function emptyState(): ScoreState {
  return {
    n: 0,
    firstTs: null,
    lastTs: null,
    visits: 0,
    visitStart: null,
    activeDays: 0,
    lastDay: null,
    rules: dict(),
    dimensions: dict(),
    lastOf: dict(),
    prospectSince: null,
    email: null,
    emailVerified: false,
    traits: dict(),
  };
}

const copyEarned = <E extends Earned>(e: E): E => (e.days ? { ...e, days: { ...e.days } } : { ...e });

/**
 * A deep copy of a state, much cheaper than structuredClone for this known, JSON-shaped structure. The
 * copy's maps have no prototype, whatever the input's (a state read back from JSON has plain objects).
 */
export function cloneState(s: ScoreState): ScoreState {
  const rules = dict<RuleTally>();
  for (const id of Object.keys(s.rules)) rules[id] = copyEarned(s.rules[id] as RuleTally);
  const dimensions = dict<Earned>();
  for (const name of Object.keys(s.dimensions)) dimensions[name] = copyEarned(s.dimensions[name] as Earned);
  return { ...s, rules, dimensions, lastOf: dict(s.lastOf), traits: dict(s.traits) };
}
