/** What the engine remembers per rule: enough to apply caps without re-reading history. */
export interface RuleTally {
  points: number;
  fired: number;
  /** Local day (YYYY-MM-DD) of dayFired, for per-day caps. */
  day?: string;
  dayFired?: number;
}

/**
 * A visitor's complete scoring state. Its size is bounded by the number of rules, never by history,
 * which is what keeps the cost of scoring one event flat.
 */
export interface ScoreState {
  /** Events applied so far; the next event's sequence number. */
  n: number;
  /** Effective time of the last event (ms); effective times never go backwards. */
  lastTs: number | null;
  visits: number;
  visitStart: number | null;
  total: number;
  rules: Record<string, RuleTally>;
  prospectSince: number | null;
  /** Identity from identify events: the lead's email and traits (latest value of each wins). */
  email: string | null;
  traits: Record<string, Trait>;
}

/** A trait value, as identify and server-side events set them. */
export type Trait = string | number | boolean;

/** At most this many distinct traits are kept per visitor; further new keys are ignored. */
export const MAX_TRAITS = 50;

/** The state of a visitor the collector has never seen. */
export function emptyState(): ScoreState {
  return { n: 0, lastTs: null, visits: 0, visitStart: null, total: 0, rules: {}, prospectSince: null, email: null, traits: {} };
}
