import type { EventRow } from "../../schema";
import type { ScoredEvent } from "../scoring/event";
import { scoredEventOf } from "./events";

/** An event row as the engine takes it. */
export const toScored = scoredEventOf;

/**
 * The order a lead's events are scored in: by sequence number (the order they were accepted), ties
 * (possible only between visitors scored apart before they were merged) by visitor id.
 */
export function scoringOrder(a: EventRow, b: EventRow): number {
  return a.seq - b.seq || (a.visitorId < b.visitorId ? -1 : a.visitorId > b.visitorId ? 1 : 0);
}

/** A lead's events, from all its visitor ids, in scoring order. */
export function inScoringOrder(rows: EventRow[]): ScoredEvent[] {
  return [...rows].sort(scoringOrder).map(toScored);
}
