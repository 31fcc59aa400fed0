import { Hono } from "hono";
import { z } from "zod";
import { ProspectsPage } from "../console/prospects";
import { liveProspectList } from "../ingest/daily-list";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import type { ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { localDay } from "../scoring/local-day";
import type { ProspectRow } from "../scoring/prospects";
import { storedList, storedListDates, storedListRows } from "../store/prospect-lists";
import { leadDetails } from "../store/visitor-reads";
import type { SiteRow } from "../../schema";
import type { Context } from "hono";
import { prospectsCsv } from "./prospects";

const query = z.strictObject({ date: z.iso.date().optional(), bom: z.enum(["0", "1"]).optional() });

/** The list for a date: the stored one, today's live one, or none. */
async function listFor(c: Context<ConsoleEnv>, site: SiteRow, date: string, today: string): Promise<{ rows: ProspectRow[]; stored: boolean; missing: boolean }> {
  if (date > today) throw new ApiError("bad_request", `${date} is after today (${today} in ${site.timezone})`);
  const stored = await storedList(c.var.db, site.id, date);
  if (stored) return { rows: await storedListRows(c.var.db, stored), stored: true, missing: false };
  if (date !== today) return { rows: [], stored: false, missing: true };
  return { rows: await liveProspectList(c.var.db, site, date, Date.now()), stored: false, missing: false };
}

/** GET /app/sites/:site/prospects and /prospects.csv: the daily list, its CSV, the stored past days. */
export const consoleProspects = new Hono<ConsoleEnv>()
  .get("/sites/:site/prospects", validate("query", query), async (c) => {
    const site = await consoleSite(c);
    const today = localDay(Date.now(), site.timezone);
    const date = c.req.valid("query").date ?? today;
    const [list, pastDates] = await Promise.all([listFor(c, site, date, today), storedListDates(c.var.db, site.id, 60)]);
    const frame = await frameFor(c, `Prospects ${date}`, site, "prospects");
    return page(c, ProspectsPage({ frame, data: { date, today, ...list, pastDates, listHour: site.listHour, timezone: site.timezone } }));
  })
  .get("/sites/:site/prospects.csv", validate("query", query), async (c) => {
    const site = await consoleSite(c);
    const today = localDay(Date.now(), site.timezone);
    const date = c.req.valid("query").date ?? today;
    const list = await listFor(c, site, date, today);
    if (list.missing) throw new ApiError("not_found", `no prospect list was stored for ${date}`);
    const details = await leadDetails(c.var.db, site.id, list.rows.map((r) => r.visitorId));
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="prospects-${site.id}-${date}.csv"`);
    // The same file as the API's; with bom=1 it starts with a byte order mark, so Excel reads UTF-8 right.
    return c.body(`${c.req.valid("query").bom === "1" ? "\uFEFF" : ""}${prospectsCsv(list.rows, details)}`);
  });
