import type { EventRow } from "../../schema";
import { GEO_COUNTRY_PROP } from "../scoring/engine";
import type { ScoredEvent } from "../scoring/event";
import type { NewEvent } from "./visitor-writes";

/**
 * The values of one events row, in the column order the write path inserts (site_id, visitor_id, id, seq,
 * ts, type, path, props, country). The edge's country, which the engine sees as a property, is stored in
 * its own narrow column rather than in every event's props JSON.
 */
export function eventValues(siteId: string, e: NewEvent): (string | number | null)[] {
  let props = e.props;
  let country: string | null = null;
  if (props && GEO_COUNTRY_PROP in props) {
    const { [GEO_COUNTRY_PROP]: value, ...rest } = props;
    country = typeof value === "string" ? value : null;
    props = Object.keys(rest).length > 0 ? rest : null;
  }
  return [siteId, e.visitorId, e.id, e.seq, e.ts, e.type, e.path, props ? JSON.stringify(props) : null, country];
}

/** A stored event as the engine takes it: the properties as they were scored, the country included. */
export function scoredEventOf(row: EventRow): ScoredEvent {
  const props = row.country === null ? row.props : { ...row.props, [GEO_COUNTRY_PROP]: row.country };
  return { id: row.id, type: row.type, ts: row.ts, path: row.path, props };
}

/**
 * When the collector received a stored event (ms): its sequence number's millisecond part. A sequence number
 * is the receipt time in microseconds, raised by a microsecond at most per event given out in the same one.
 */
export function receivedAtOf(row: Pick<EventRow, "seq">): number {
  return Math.floor(row.seq / 1000);
}
