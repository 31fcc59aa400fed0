import { env } from "cloudflare:workers";
import { database } from "../../worker/store/db";
import { scoreBatch } from "../../worker/ingest/score-batch";
import { clearIsolateCaches } from "../../worker/store/isolate-cache";
import { meteredD1, type RowMeter } from "./metered-d1";

/**
 * Rows D1 read and wrote to score and store one page view for a visitor, through the real write path:
 * from a cold isolate (it reads, then writes) unless `warm`, where it starts from what it last wrote.
 */
export async function pageViewCost(siteId: string, visitorId: string, eventId: string, warm = false): Promise<RowMeter> {
  if (!warm) clearIsolateCaches();
  const meter: RowMeter = { read: 0, written: 0, statements: 0 };
  const db = database(meteredD1(env.DB, meter));
  const now = Date.now();
  const result = await scoreBatch(db, siteId, visitorId, [{ id: eventId, type: "pageview", ts: now, path: "/pricing", props: null }], now, () => {}, null);
  if (result.accepted.length !== 1) throw new Error("the page view was not accepted");
  return meter;
}
