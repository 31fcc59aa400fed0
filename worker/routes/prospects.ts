import { Hono, type Context } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import type { ConsoleEnv } from "../lib/console-session";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { csvCell } from "../lib/csv";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { openProspectList, type ProspectListReader } from "../ingest/prospect-pages";
import { localDay } from "../scoring/local-day";
import type { ProspectRow } from "../scoring/prospects";
import type { Database } from "../store/db";
import { leadDetails, type LeadDetails } from "../store/visitor-reads";

/** GET /api/sites/:site/prospects query. */
export const prospectsQuery = z.strictObject({
  date: z.iso.date().optional(),
  format: z.enum(["json", "csv"]).default("json"),
  /** JSON only: lines per page, in rank order; nextCursor goes on. */
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().max(400).optional(),
  /** CSV only: start with a UTF-8 byte order mark, so Excel reads accents and non-Latin names right. */
  bom: z.enum(["0", "1"]).transform((b) => b === "1").optional(),
});

// New columns go last, so readers of the first eight keep working. stage tells sales where each lead stands,
// probability what the site's model makes of it; outcome, reason and value are for sales to fill in and send
// back through POST .../prospects/outcomes.
const HEADER = [
  ...["visitor_id", "email", "score", "class", "grade", "prospect_since", "new", "reasons", "name", "company", "title", "last_seen", "source", "email_verified"],
  ...["stage", "probability", "outcome", "reason", "value"],
];
/** Lines read per page while streaming a list as CSV. */
const CSV_PAGE = 500;

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : null);

/** A person's name from the usual traits: name, or first and last name. */
function nameOf(traits: LeadDetails["traits"]): string | null {
  const full = text(traits.name);
  if (full) return full;
  const parts = [traits.first_name ?? traits.firstName, traits.last_name ?? traits.lastName].map(text).filter(Boolean);
  return parts.length ? parts.join(" ") : null;
}

/** Where a lead came from, in a few words: the UTM source (and medium), or the referring host. */
function sourceText(source: Record<string, string> | null): string | null {
  if (!source) return null;
  if (source.utm_source) return source.utm_medium ? `${source.utm_source} / ${source.utm_medium}` : source.utm_source;
  return source.referrer ? new URL(source.referrer).host : null;
}

function csvLine(r: ProspectRow, d: LeadDetails | undefined): string {
  const cells = [
    r.visitorId,
    r.email,
    r.score,
    r.class,
    r.grade,
    new Date(r.since).toISOString(),
    r.isNew ? "yes" : "no",
    r.reasons.map((x) => `${x.label} ${x.points >= 0 ? "+" : ""}${x.points}`).join("; "),
    d ? nameOf(d.traits) : null,
    d ? text(d.traits.company) : null,
    d ? text(d.traits.title) : null,
    d ? new Date(d.lastSeen).toISOString() : null,
    d ? sourceText(d.source) : null,
    // Lists stored before verification existed have no flag: their emails count as not verified.
    r.emailVerified === true ? "yes" : "no",
    r.stage ?? null,
    r.probability ?? null,
    null,
    null,
    null,
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * Streams a list as CSV, read a page at a time; name, title and the rest are read per page (a stored list
 * keeps who was on it and why, not their profile). The API and the console's download send the same file.
 */
export function streamProspectsCsv(c: Context<AppEnv> | Context<ConsoleEnv>, db: Database, list: ProspectListReader, filename: string, bom: boolean, cursor?: string) {
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="${filename}"`);
  return stream(c, async (out) => {
    await out.write(`${bom ? "\uFEFF" : ""}${HEADER.map(csvCell).join(",")}\r\n`);
    for (let from = cursor; ; ) {
      const { rows, nextCursor } = await list.page(CSV_PAGE, from);
      const details = await leadDetails(db, list.siteId, rows.map((r) => r.visitorId));
      if (rows.length) await out.write(rows.map((r) => csvLine(r, details.get(r.visitorId))).join(""));
      if (nextCursor === null) break;
      from = nextCursor;
    }
  });
}

/**
 * GET /api/sites/:site/prospects?date=YYYY-MM-DD&format=json|csv&limit=&cursor=: the daily list for sales.
 * JSON comes a page at a time (nextCursor); CSV streams the whole list, read from D1 a page at a time.
 */
export const prospectsRoutes = new Hono<AppEnv>().get("/", requireScope("read"), validate("query", prospectsQuery), async (c) => {
  const site = await siteFromPath(c);
  const now = Date.now();
  const today = localDay(now, site.timezone);
  const { date = today, format, limit, cursor, bom } = c.req.valid("query");
  if (date > today) throw new ApiError("bad_request", `invalid query: date ${date} is after today (${today} in ${site.timezone})`);
  const list = await openProspectList(c.var.db, site, date, today, now);
  if (!list) throw new ApiError("not_found", `no prospect list was stored for ${date}`);
  if (format === "csv") return streamProspectsCsv(c, c.var.db, list, `prospects-${site.id}-${date}.csv`, bom === true, cursor);
  const { rows, nextCursor } = await list.page(limit, cursor);
  return c.json({
    site: site.id,
    date,
    // A rule set without prospectAt keeps no list: it answers empty, and says why.
    hasThreshold: list.hasThreshold,
    // A stored list is the one handed out that morning; before the day's run the list is live.
    stored: list.stored,
    prospects: rows.map((r) => ({ ...r, emailVerified: r.emailVerified === true, since: new Date(r.since).toISOString() })),
    nextCursor,
  });
});
