// The per-visitor limit, kept in the two columns every scoring write rewrites anyway (window_start,
// window_events), so it costs no extra D1 row. It is a leaky bucket: the visitor's bucket holds at most
// `perMinute / 2` events and drains one event every `60 s / (perMinute / 2)`. Any 60-second span then takes
// at most a full bucket plus what drains in 60 s: `perMinute` events, wherever the span starts. (A fixed
// per-minute window let twice the limit through across a minute boundary.)

/** The stored bucket: `windowStart` is when `windowEvents` (the bucket's level) was last exact, in ms. */
export interface StoredBucket {
  windowStart: number;
  windowEvents: number;
}

/** The bucket after taking a batch, or how long to wait before the batch would fit. */
export type VisitorAllowance = ({ ok: true } & StoredBucket) | { ok: false; retryAfterSeconds: number };

/** The bucket's size and drain interval for a limit of `perMinute` events in any 60 seconds. */
export function bucketOf(perMinute: number): { capacity: number; drainMs: number } {
  const capacity = Math.max(1, Math.floor(perMinute / 2));
  return { capacity, drainMs: Math.ceil(60_000 / capacity) };
}

/**
 * Takes `n` events from a visitor's bucket at time `now`. No limit (`perMinute` undefined: the
 * token-authenticated API) leaves the stored bucket as it was. A visitor seen for the first time has an
 * empty bucket. Rows written by the fixed-window limit read as a bucket filled at their minute's start.
 */
export function takeVisitorEvents(stored: StoredBucket | undefined, n: number, now: number, perMinute: number | undefined): VisitorAllowance {
  const start = stored ?? { windowStart: now, windowEvents: 0 };
  if (perMinute === undefined) return { ok: true, ...start };
  const { capacity, drainMs } = bucketOf(perMinute);
  // A clock that steps back (another isolate's) drains nothing rather than refilling.
  const drained = Math.floor(Math.max(0, now - start.windowStart) / drainMs);
  const level = Math.max(0, start.windowEvents - drained);
  // An empty bucket starts its drain clock now; otherwise the part of an interval already run is kept.
  const since = level === 0 ? now : start.windowStart + drained * drainMs;
  if (level + n <= capacity) return { ok: true, windowStart: since, windowEvents: level + n };
  const waitMs = (level + n - capacity) * drainMs - (now - since);
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}
