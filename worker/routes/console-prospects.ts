import { Hono, type Context } from "hono";
import { z } from "zod";
import { ProspectsPage } from "../console/prospects";
import { openProspectList } from "../ingest/prospect-pages";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import type { ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { localDay } from "../scoring/local-day";
import { listSize, storedListDates } from "../store/prospect-lists";
import { streamProspectsCsv } from "./prospects";

/** Lines the console shows per page of a list. */
export const CONSOLE_LIST_PAGE = 100;

const query = z.strictObject({ date: z.iso.date().optional(), bom: z.enum(["0", "1"]).optional(), cursor: z.string().max(400).optional() });

/** The site, the date asked for (today, in the site's timezone, by default) and that date's list, if it has one. */
async function listAsked(c: Context<ConsoleEnv>, asked: string | undefined) {
  const site = await consoleSite(c);
  const now = Date.now();
  const today = localDay(now, site.timezone);
  const date = asked ?? today;
  if (date > today) throw new ApiError("bad_request", `${date} is after today (${today} in ${site.timezone})`);
  return { site, date, today, list: await openProspectList(c.var.db, site, date, today, now) };
}

/** GET /app/sites/:site/prospects and /prospects.csv: the daily list a page at a time, its CSV, the stored past days. */
export const consoleProspects = new Hono<ConsoleEnv>()
  .get("/sites/:site/prospects", validate("query", query), async (c) => {
    const { date: asked, cursor } = c.req.valid("query");
    const { site, date, today, list } = await listAsked(c, asked);
    const [pastDates, shown] = await Promise.all([
      storedListDates(c.var.db, site.id, 60),
      list ? list.page(CONSOLE_LIST_PAGE, cursor) : { rows: [], nextCursor: null },
    ]);
    // A stored list keeps its size (one row read); the live list is not counted (that would read all of it).
    const total = list?.stored ? await listSize(c.var.db, site.id, date) : null;
    const frame = await frameFor(c, `Prospects ${date}`, site, "prospects");
    const data = {
      date,
      today,
      stored: list?.stored ?? false,
      missing: list === undefined,
      rows: shown.rows,
      total,
      nextCursor: shown.nextCursor,
      paged: cursor !== undefined,
      pastDates,
      listHour: site.listHour,
      timezone: site.timezone,
    };
    return page(c, ProspectsPage({ frame, data }));
  })
  .get("/sites/:site/prospects.csv", validate("query", query), async (c) => {
    const { site, date, list } = await listAsked(c, c.req.valid("query").date);
    if (!list) throw new ApiError("not_found", `no prospect list was stored for ${date}`);
    // The same file as the API's; with bom=1 it starts with a byte order mark, so Excel reads UTF-8 right.
    return streamProspectsCsv(c, c.var.db, list, `prospects-${site.id}-${date}.csv`, c.req.valid("query").bom === "1");
  });
