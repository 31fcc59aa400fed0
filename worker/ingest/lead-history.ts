import { ApiError } from "../lib/errors";

/**
 * Most events one lead keeps, from all its visitor ids. Rescoring a lead, merging two and scoring a beacon
 * under rules newer than the lead's state all replay the lead's whole history in one isolate, so its size
 * must be bounded: without a limit, one client sending within the per-visitor rate for a day would build a
 * history no isolate's 128 MB can replay. The rescore job's chunks take this many events too, the size
 * their memory was measured for. Past it, the beacon and the events API refuse a lead's events (429) until
 * retention purges old ones; outcomes from the prospect CSV still land (a lead gets few).
 */
export const MAX_LEAD_EVENTS = 10_000;

/** The limit in force: MAX_LEAD_EVENTS; tests lower it. */
export const leadHistory = { max: MAX_LEAD_EVENTS };

/** Seconds a refused sender waits: retention purges once a day. */
export const HISTORY_RETRY_AFTER = 86_400;

/** Whether `adding` more events fit a lead that keeps `stored` (null: not counted yet, so let through once). */
export function historyHasRoom(stored: number | null | undefined, adding: number): boolean {
  return stored === null || stored === undefined || stored + adding <= leadHistory.max;
}

/** The refusal of events that would take a lead past the limit. */
export function historyFull(leadId: string): ApiError {
  return new ApiError(
    "rate_limited",
    `lead "${leadId}" keeps at most ${leadHistory.max.toLocaleString("en")} events; it takes new ones again once the site's retention has purged older ones`,
    { "Retry-After": String(HISTORY_RETRY_AFTER) },
  );
}
