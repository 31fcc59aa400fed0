import { Hono, type Context } from "hono";
import { z } from "zod";
import type { SiteRow, VisitorRow } from "../../schema";
import { ErasedPage, ErasePage } from "../console/erase";
import { LeadPage, type LeadEventLine, type LeadProfile } from "../console/lead";
import { LeadsPage, type LeadFilters, type LeadLine } from "../console/leads";
import { sitePath } from "../console/frame";
import { eraseLead } from "../ingest/erase-lead";
import { clientId } from "../ingest/ids";
import { scoreHistory } from "../ingest/score-history";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import { adminOnly, type ConsoleEnv } from "../lib/console-session";
import { ApiError, storageUnavailable } from "../lib/errors";
import { accountOf } from "../scoring/accounts";
import { evaluate } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import { leadGroup } from "../store/leads";
import { findRuleSet } from "../store/rules";
import { findVisitor, leadByEmail, scanLeaders, type ScanCursor, type ScanFilters } from "../store/visitor-reads";

const PAGE = 50;
/** Leads one scan window walks, and the windows one page may walk: a filtered page reads at most 2,000 leads. */
const SCAN = 500;
const MAX_WINDOWS = 4;
/** Events the profile replays for its chart and list. */
const MAX_HISTORY = 5_000;

const text = (max: number) => z.string().trim().max(max).default("");
const listQuery = z.object({
  q: text(320),
  order: z.enum(["score", "lastSeen"]).catch("score"),
  class: text(32),
  grade: text(8),
  prospect: z.enum(["", "yes", "no"]).catch(""),
  trait: text(64),
  value: text(200),
  after: text(400),
});

function encodeCursor(cursor: ScanCursor): string {
  return btoa(JSON.stringify([cursor.key, cursor.id])).replaceAll("=", "");
}

function decodeCursor(raw: string): ScanCursor | undefined {
  if (!raw) return undefined;
  try {
    const [key, id] = JSON.parse(atob(raw)) as [unknown, unknown];
    if (typeof key === "number" && typeof id === "string") return { key, id };
  } catch {
    // fall through
  }
  throw new ApiError("bad_request", "that page link is not one the console gave out");
}

async function rulesOf(c: Context<ConsoleEnv>, site: SiteRow): Promise<{ version: number; rules: RuleSet }> {
  const set = await findRuleSet(c.var.db, site.id, site.rulesVersion);
  if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
  return set;
}

function line(v: VisitorRow, rules: RuleSet, now: number): LeadLine {
  const s = evaluate(v.state, rules, now);
  return { id: v.id, email: v.state.email, score: s.total, class: s.class, grade: s.grade, prospect: s.prospect, visits: v.state.visits, lastSeen: new Date(v.lastSeen).toISOString() };
}

/** The score range a class filter and a prospect filter mean, on the stored score column. */
function scoreFilters(filters: LeadFilters, rules: RuleSet): ScanFilters {
  const out: ScanFilters = {};
  if (filters.class) {
    const sorted = [...rules.classes].sort((a, b) => a.min - b.min);
    const i = sorted.findIndex((cl) => cl.name === filters.class);
    if (i < 0) throw new ApiError("bad_request", `there is no class "${filters.class}"`);
    out.minScore = sorted[i]?.min;
    const above = sorted[i + 1];
    if (above) out.belowScore = above.min;
  }
  if (filters.prospect === "yes") out.minScore = Math.max(out.minScore ?? -Infinity, rules.prospectAt);
  if (filters.prospect === "no") out.belowScore = Math.min(out.belowScore ?? Infinity, rules.prospectAt);
  if (filters.trait) out.trait = { name: filters.trait, equals: filters.value };
  return out;
}

/** One page of the leaderboard: windows of the ordered scan until the page is full, bounded. */
async function leaderboardPage(c: Context<ConsoleEnv>, site: SiteRow, rules: RuleSet, filters: LeadFilters, after: ScanCursor | undefined) {
  const scanFilters = scoreFilters(filters, rules);
  const now = Date.now();
  const lines: LeadLine[] = [];
  let cursor = after;
  let scanned = 0;
  let next: ScanCursor | null = null;
  for (let w = 0; w < MAX_WINDOWS; w++) {
    const window = await scanLeaders(c.var.db, site.id, { order: filters.order, ...(cursor ? { after: cursor } : {}), scan: SCAN, filters: scanFilters });
    scanned += SCAN;
    for (const row of window.rows) {
      const l = line(row, rules, now);
      if (filters.grade && l.grade?.toLowerCase() !== filters.grade.toLowerCase()) continue;
      lines.push(l);
      if (lines.length === PAGE) break;
    }
    if (lines.length === PAGE) {
      const last = lines.at(-1) as LeadLine;
      const row = window.rows.find((r) => r.id === last.id) as VisitorRow;
      next = { key: filters.order === "score" ? row.score : row.lastSeen, id: row.id };
      break;
    }
    next = window.end;
    if (!window.end) break;
    cursor = window.end;
  }
  return { lines, next, scanned };
}

/** The query string of a leaderboard page with the same filters after `cursor`. */
function pageQuery(filters: LeadFilters, cursor: ScanCursor): string {
  const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== "" && v !== "score"));
  params.set("after", encodeCursor(cursor));
  return params.toString();
}

/** A short description of what an event carried (file, email, custom properties), without collector fields. */
function detailOf(props: Record<string, unknown> | null): string | null {
  if (!props) return null;
  const sent = Object.entries(props).filter(([k]) => !k.startsWith("__"));
  if (sent.length === 0) return null;
  const text = sent.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** The lead a visitor id names (the lead itself, or the lead it was merged into), or a 404. */
async function leadFromPath(c: Context<ConsoleEnv>, site: SiteRow): Promise<{ lead: VisitorRow; asked: string }> {
  const id = c.req.param("id") ?? "";
  if (!clientId.safeParse(id).success) throw new ApiError("not_found", "that is not a visitor id");
  const found = await findVisitor(c.var.db, site.id, id);
  if (!found) throw new ApiError("not_found", `no lead "${id}" on this site (it may have been erased)`);
  const lead = (found.leadId ? await findVisitor(c.var.db, site.id, found.leadId) : undefined) ?? found;
  return { lead, asked: id };
}

async function profile(c: Context<ConsoleEnv>, site: SiteRow, lead: VisitorRow, shown: number): Promise<LeadProfile> {
  const set = await rulesOf(c, site);
  const [group, history] = await Promise.all([leadGroup(c.var.db, site.id, lead.id), scoreHistory(c.var.db, site, set.rules, lead.id, { limit: MAX_HISTORY })]);
  const now = Date.now();
  const score = evaluate(lead.state, set.rules, now);
  const steps = history.steps;
  const dims = Object.keys(score.dimensions);
  const label = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
  const events: LeadEventLine[] = steps
    .slice(-shown)
    .reverse()
    .map((s) => ({
      id: s.event.id,
      at: s.at,
      type: s.event.type,
      path: s.event.path ?? null,
      detail: detailOf(s.event.props ?? null),
      delta: s.delta,
      total: s.total,
      points: s.points.map((p) => ({ label: p.label, points: p.points })),
    }));
  return {
    id: lead.id,
    email: lead.state.email,
    score: score.total,
    dimensions: score.dimensions,
    class: score.class,
    grade: score.grade,
    prospect: score.prospect,
    prospectSince: score.prospect ? new Date(lead.state.prospectSince ?? lead.prospectSince ?? now).toISOString() : null,
    prospectAt: set.rules.prospectAt,
    visits: lead.state.visits,
    firstSeen: new Date(lead.firstSeen).toISOString(),
    lastSeen: new Date(lead.lastSeen).toISOString(),
    visitorIds: group.map((v) => v.id).sort(),
    account: accountOf(lead.state),
    traits: Object.fromEntries(Object.entries(lead.state.traits).filter(([k]) => k !== "email")),
    source: lead.source,
    breakdown: score.breakdown,
    chart: {
      type: "line",
      stepped: true,
      // Each event's score, then the score now (decay and absence rules move it between events).
      labels: [...steps.map((s) => label(s.at)), "now"],
      series: [
        { label: "score", data: [...steps.map((s) => s.total), score.total] },
        ...dims.map((d) => ({ label: d, data: [...steps.map((s) => s.dimensions[d] ?? 0), score.dimensions[d] ?? 0] })),
      ],
    },
    events,
    eventCount: steps.length,
    more: steps.length > shown ? `events=${Math.min(shown * 4, MAX_HISTORY)}` : null,
  };
}

/** The leaderboard (search by email, filters, order), a lead's profile, and erasure behind a confirmation. */
export const consoleLeads = new Hono<ConsoleEnv>()
  .get("/sites/:site/leads", async (c) => {
    const site = await consoleSite(c);
    const set = await rulesOf(c, site);
    const parsed = listQuery.safeParse(c.req.query());
    const filters: LeadFilters = parsed.success ? parsed.data : listQuery.parse({});
    const classes = [...set.rules.classes].sort((a, b) => b.min - a.min).map((cl) => cl.name);
    const frame = await frameFor(c, "Leads", site, "leads");
    const now = Date.now();
    if (filters.q) {
      // An email finds its lead; a visitor id finds the lead it belongs to.
      const found = filters.q.includes("@") ? await leadByEmail(c.var.db, site.id, filters.q) : clientId.safeParse(filters.q).success ? await findVisitor(c.var.db, site.id, filters.q) : undefined;
      const lead = found?.leadId ? await findVisitor(c.var.db, site.id, found.leadId) : found;
      return page(c, LeadsPage({ frame, filters, classes, leads: lead ? [line(lead, set.rules, now)] : [], next: null, scanned: 0 }));
    }
    try {
      const { lines, next, scanned } = await leaderboardPage(c, site, set.rules, filters, decodeCursor(parsed.success ? parsed.data.after : ""));
      return page(c, LeadsPage({ frame, filters, classes, leads: lines, next: next ? pageQuery(filters, next) : null, scanned }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "bad_request") throw err;
      return page(c, LeadsPage({ frame, filters, classes, leads: [], next: null, scanned: 0, error: err.message }), 400);
    }
  })
  .get("/sites/:site/leads/:id", async (c) => {
    const site = await consoleSite(c);
    const { lead, asked } = await leadFromPath(c, site);
    if (lead.id !== asked) return c.redirect(sitePath(site.id, `/leads/${encodeURIComponent(lead.id)}`), 303);
    const shown = Math.min(Math.max(Number(c.req.query("events")) || 100, 1), MAX_HISTORY);
    const data = await profile(c, site, lead, shown);
    return page(c, LeadPage({ frame: await frameFor(c, data.email ?? data.id, site, "leads"), lead: data }));
  })
  .get("/sites/:site/leads/:id/erase", adminOnly, async (c) => {
    const site = await consoleSite(c);
    const { lead } = await leadFromPath(c, site);
    const group = await leadGroup(c.var.db, site.id, lead.id);
    const frame = await frameFor(c, "Erase", site, "leads");
    return page(c, ErasePage({ frame, lead: { id: lead.id, email: lead.state.email, visitorIds: group.map((v) => v.id), events: lead.state.n } }));
  })
  .post("/sites/:site/leads/:id/erase", adminOnly, async (c) => {
    const site = await consoleSite(c);
    const { lead } = await leadFromPath(c, site);
    const form = await c.req.parseBody();
    const typed = typeof form.confirm === "string" ? form.confirm.trim().toLowerCase() : "";
    const expected = (lead.state.email ?? lead.id).toLowerCase();
    const frame = await frameFor(c, "Erase", site, "leads");
    if (typed !== expected) {
      const group = await leadGroup(c.var.db, site.id, lead.id);
      const error = `That does not match ${lead.state.email ?? lead.id}; nothing was erased.`;
      return page(c, ErasePage({ frame, lead: { id: lead.id, email: lead.state.email, visitorIds: group.map((v) => v.id), events: lead.state.n }, error }), 400);
    }
    let result;
    try {
      result = await eraseLead(c.var.db, site.id, lead.id, Date.now());
    } catch (err) {
      throw storageUnavailable(err);
    }
    const erased = { events: result.erased.events, prospectLists: result.erased.prospectLists, visitorIds: result.visitorIds.length };
    return page(c, ErasedPage({ frame, who: lead.state.email ?? lead.id, erased }));
  });
