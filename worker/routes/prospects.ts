import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { toCsv } from "../lib/csv";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { liveProspectList } from "../ingest/daily-list";
import { localDay } from "../scoring/local-day";
import type { ProspectRow } from "../scoring/prospects";
import { storedList } from "../store/prospect-lists";

const query = z.strictObject({
  date: z.iso.date().optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

function csv(rows: ProspectRow[]): string {
  return toCsv(
    ["visitor_id", "email", "email_verified", "score", "class", "grade", "prospect_since", "new", "reasons"],
    rows.map((r) => [
      r.visitorId,
      r.email,
      // Lists stored before verification existed have no flag: their emails were never verified.
      r.emailVerified === true ? "yes" : "no",
      r.score,
      r.class,
      r.grade,
      new Date(r.since).toISOString(),
      r.isNew ? "yes" : "no",
      r.reasons.map((x) => `${x.label} ${x.points >= 0 ? "+" : ""}${x.points}`).join("; "),
    ]),
  );
}

/** GET /api/sites/:site/prospects?date=YYYY-MM-DD&format=json|csv: the daily list for sales. */
export const prospectsRoutes = new Hono<AppEnv>().get("/", requireScope("read"), validate("query", query), async (c) => {
  const site = await siteFromPath(c);
  const today = localDay(Date.now(), site.timezone);
  const { date = today, format } = c.req.valid("query");
  if (date > today) throw new ApiError("bad_request", `invalid query: date ${date} is after today (${today} in ${site.timezone})`);
  const stored = await storedList(c.var.db, site.id, date);
  if (!stored && date !== today) throw new ApiError("not_found", `no prospect list was stored for ${date}`);
  const rows = stored ? stored.rows : await liveProspectList(c.var.db, site, date, Date.now());
  if (format === "csv") {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="prospects-${site.id}-${date}.csv"`);
    return c.body(csv(rows));
  }
  return c.json({
    site: site.id,
    date,
    // A stored list is the one handed out that morning; before the day's run the list is live.
    stored: stored !== undefined,
    prospects: rows.map((r) => ({ ...r, emailVerified: r.emailVerified === true, since: new Date(r.since).toISOString() })),
  });
});
