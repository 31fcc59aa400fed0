import { z } from "zod";

/** How far back a corrected event time may lie: older events (a long-offline queue) are pinned to it. */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3_600_000;

/**
 * Moves a client-stamped event time onto the collector's clock: receivedAt - (sentAt - eventTime).
 * The client's clock may be wrong, but the gap between its own two stamps is not; the result is bounded
 * to [receivedAt - MAX_EVENT_AGE_MS, receivedAt].
 */
export function correctedTime(receivedAt: number, sentAt: number, eventTime: number): number {
  const age = Math.min(Math.max(sentAt - eventTime, 0), MAX_EVENT_AGE_MS);
  return receivedAt - age;
}

/** A client timestamp (ms since epoch) within reason: 2020 to 2100. */
export const epochMs = z.number().int().min(Date.UTC(2020, 0, 1)).max(Date.UTC(2100, 0, 1));
