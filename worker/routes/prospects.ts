import { Hono } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { csvCell } from "../lib/csv";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { liveProspectList } from "../ingest/daily-list";
import { localDay } from "../scoring/local-day";
import type { ProspectRow } from "../scoring/prospects";
import { listPage, storedList, type ListCursor } from "../store/prospect-lists";
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

// New columns go last, so readers of the first eight keep working.
// New columns go last, so readers of the first eight keep working.
const HEADER = ["visitor_id", "email", "score", "class", "grade", "prospect_since", "new", "reasons", "name", "company", "title", "last_seen", "source", "email_verified"];
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
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** The prospect list as CSV, one line per prospect (the API streams the same lines; the console downloads this). */
export function prospectsCsv(rows: ProspectRow[], details: Map<string, LeadDetails>): string {
  return `${HEADER.map(csvCell).join(",")}\r\n${rows.map((r) => csvLine(r, details.get(r.visitorId))).join("")}`;
}

function encodeCursor(r: ProspectRow): string {
  return btoa(JSON.stringify([r.score, r.since, r.visitorId])).replaceAll("=", "");
}

function decodeCursor(cursor: string): ListCursor {
  try {
    const [score, since, visitorId] = JSON.parse(atob(cursor)) as unknown[];
    if (typeof score === "number" && typeof since === "number" && typeof visitorId === "string") return { score, since, visitorId };
  } catch {
    // falls through to the 400
  }
  throw new ApiError("bad_request", "invalid query: cursor is not one this API gave out");
}

/** Rank order of a list: best score, then who crossed first, then id. */
const after = (c: ListCursor) => (r: ProspectRow) =>
  r.score < c.score || (r.score === c.score && (r.since > c.since || (r.since === c.since && r.visitorId > c.visitorId)));

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
  const start = cursor === undefined ? undefined : decodeCursor(cursor);
  const stored = await storedList(c.var.db, site.id, date);
  if (!stored && date !== today) throw new ApiError("not_found", `no prospect list was stored for ${date}`);
  // A stored list is read a page at a time off its rank index; the live list (and a list stored before
  // lists were paged) is one read, paged here.
  const inMemory = stored?.paged ? null : stored ? stored.rows : await liveProspectList(c.var.db, site, date, now);
  const page = async (from: ListCursor | undefined, n: number): Promise<ProspectRow[]> =>
    inMemory ? (from ? inMemory.filter(after(from)) : inMemory).slice(0, n) : listPage(c.var.db, site.id, date, n, from);

  if (format === "csv") {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="prospects-${site.id}-${date}.csv"`);
    return stream(c, async (out) => {
      await out.write(`${bom ? "\uFEFF" : ""}${HEADER.map(csvCell).join(",")}\r\n`);
      for (let from = start; ; ) {
        const rows = await page(from, CSV_PAGE);
        // Name, title and the rest are read now: a stored list keeps who was on it and why, not their profile.
        const details = await leadDetails(c.var.db, site.id, rows.map((r) => r.visitorId));
        if (rows.length) await out.write(rows.map((r) => csvLine(r, details.get(r.visitorId))).join(""));
        const last = rows[rows.length - 1];
        if (rows.length < CSV_PAGE || !last) break;
        from = { score: last.score, since: last.since, visitorId: last.visitorId };
      }
    });
  }
  const rows = await page(start, limit + 1);
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return c.json({
    site: site.id,
    date,
    // A stored list is the one handed out that morning; before the day's run the list is live.
    stored: stored !== undefined,
    prospects: shown.map((r) => ({ ...r, emailVerified: r.emailVerified === true, since: new Date(r.since).toISOString() })),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  });
});
