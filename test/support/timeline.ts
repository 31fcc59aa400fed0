import type { ScoredEvent } from "../../worker/scoring/event";
import type { ScoringSettings } from "../../worker/scoring/rules";

/** Time units and a fixed start (a Monday, 09:00 UTC) for engine tests. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

/** A site in UTC with the default 30-minute visit timeout. */
export const utc: ScoringSettings = { visitTimeoutMs: 30 * MIN, timezone: "UTC" };

let n = 0;
/** An engine event with a fresh id. */
export function ev(type: string, at: number, path: string | null = "/", props: Record<string, unknown> | null = null): ScoredEvent {
  return { id: `t${++n}`, type, ts: at, path, props };
}

/** An engine event sent through the API (an email open, a CRM update, an outcome): it keeps its own time. */
export function apiEv(type: string, at: number, props: Record<string, unknown> | null = null): ScoredEvent {
  return { id: `t${++n}`, type, ts: at, path: null, props, via: "api" };
}
