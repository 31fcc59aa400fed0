import type { OutcomeRecord } from "./outcomes";

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
  /** Earliest and latest effective event time (ms). */
  firstTs: number | null;
  lastTs: number | null;
  /**
   * Effective time of the last website event, which visits are made of; website times never go
   * backwards. Undefined in states stored before events had an origin (lastTs stood for it then).
   */
  lastWebTs?: number | null;
  visits: number;
  visitStart: number | null;
  /** Local days with activity, and the last of them. */
  activeDays: number;
  lastDay: string | null;
  rules: Record<string, RuleTally>;
  dimensions: Record<string, Earned>;
  /** Last time of each event type that an absence rule watches. */
  lastOf: Record<string, number>;
  /**
   * Absence rules counted from a named event ("no email_open since email_sent"): per rule id, the first
   * such event not yet answered by the awaited one.
   */
  awaiting?: Record<string, number>;
  /** The lead's latest outcome (accepted, rejected, won, lost), from outcome events. */
  outcome?: OutcomeRecord;
  /** When the score last reached the prospect threshold, as of the last event; null below it. */
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
  return {
    n: 0,
    firstTs: null,
    lastTs: null,
    lastWebTs: null,
    visits: 0,
    visitStart: null,
    activeDays: 0,
    lastDay: null,
    rules: {},
    dimensions: {},
    lastOf: {},
    prospectSince: null,
    email: null,
    traits: {},
  };
}

const copyEarned = <E extends Earned>(e: E): E => (e.days ? { ...e, days: { ...e.days } } : { ...e });

/** A deep copy of a state, much cheaper than structuredClone for this known, JSON-shaped structure. */
export function cloneState(s: ScoreState): ScoreState {
  const rules: Record<string, RuleTally> = {};
  for (const id in s.rules) rules[id] = copyEarned(s.rules[id] as RuleTally);
  const dimensions: Record<string, Earned> = {};
  for (const name in s.dimensions) dimensions[name] = copyEarned(s.dimensions[name] as Earned);
  const copy: ScoreState = { ...s, rules, dimensions, lastOf: { ...s.lastOf }, traits: { ...s.traits } };
  if (s.awaiting) copy.awaiting = { ...s.awaiting };
  if (s.outcome) copy.outcome = s.outcome.fired ? { ...s.outcome, fired: { ...s.outcome.fired } } : { ...s.outcome };
  return copy;
}
