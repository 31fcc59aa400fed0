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
import { leadDetails, type LeadDetails } from "../store/visitor-reads";

/** GET /api/sites/:site/prospects query. */
export const prospectsQuery = z.strictObject({
  date: z.iso.date().optional(),
  format: z.enum(["json", "csv"]).default("json"),
  /** CSV only: start with a UTF-8 byte order mark, so Excel reads accents and non-Latin names right. */
  bom: z.enum(["0", "1"]).transform((b) => b === "1").optional(),
});

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

/** The prospect list as CSV, one line per prospect (the API and the console download the same file). */
export function prospectsCsv(rows: ProspectRow[], details: Map<string, LeadDetails>): string {
  return toCsv(
    // New columns go last, so readers of the first eight keep working.
    ["visitor_id", "email", "score", "class", "grade", "prospect_since", "new", "reasons", "name", "company", "title", "last_seen", "source", "email_verified"],
    rows.map((r) => {
      const d = details.get(r.visitorId);
      return [
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
    }),
  );
}

/** GET /api/sites/:site/prospects?date=YYYY-MM-DD&format=json|csv: the daily list for sales. */
export const prospectsRoutes = new Hono<AppEnv>().get("/", requireScope("read"), validate("query", prospectsQuery), async (c) => {
  const site = await siteFromPath(c);
  const today = localDay(Date.now(), site.timezone);
  const { date = today, format, bom } = c.req.valid("query");
  if (date > today) throw new ApiError("bad_request", `invalid query: date ${date} is after today (${today} in ${site.timezone})`);
  const stored = await storedList(c.var.db, site.id, date);
  if (!stored && date !== today) throw new ApiError("not_found", `no prospect list was stored for ${date}`);
  const rows = stored ? stored.rows : await liveProspectList(c.var.db, site, date, Date.now());
  if (format === "csv") {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="prospects-${site.id}-${date}.csv"`);
    // Name, title and the rest are read now: a stored list keeps who was on it and why, not their profile.
    const details = await leadDetails(c.var.db, site.id, rows.map((r) => r.visitorId));
    return c.body(`${bom ? "\uFEFF" : ""}${prospectsCsv(rows, details)}`);
  }
  return c.json({
    site: site.id,
    date,
    // A stored list is the one handed out that morning; before the day's run the list is live.
    stored: stored !== undefined,
    prospects: rows.map((r) => ({ ...r, emailVerified: r.emailVerified === true, since: new Date(r.since).toISOString() })),
  });
});
