import { and, asc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { events, visitors, type EventRow, type VisitorRow } from "../../schema";
import type { Database } from "./db";
import { idsWhere } from "./visitor-reads";
import { jsonIdList } from "./json-ids";

/** How much one chunk of leads may read. */
export interface ChunkBounds {
  maxLeads: number;
  /** Events read per chunk; a single lead with more is still read, alone. */
  maxEvents: number;
  /** Only leads scored under a rules version below this one (a rescore skips leads already done). */
  belowRulesVersion?: number;
}

/** A run of leads in key order with everything needed to replay them. */
export interface LeadChunk {
  leads: VisitorRow[];
  /** Lead id -> the rows of the visitors merged into it. */
  aliases: Map<string, VisitorRow[]>;
  /** Lead id -> its events from all its visitor ids (unordered). */
  events: Map<string, EventRow[]>;
  /** Where the next chunk starts (the last lead taken), or null when the site has no lead after this chunk. */
  next: string | null;
  eventsRead: number;
}

/**
 * Reads the leads after `after` in key order, bounded by leads and by events: per-visitor event counts
 * come first (from the key index), then only the prefix of leads whose events fit is read. A fixed number
 * of statements (four) whatever the chunk's size, each binding a handful of parameters (ids travel as one
 * JSON array).
 */
export async function readLeadChunk(db: Database, siteId: string, after: string | null, bounds: ChunkBounds): Promise<LeadChunk> {
  const leads = await db
    .select()
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        isNull(visitors.leadId),
        after === null ? undefined : gt(visitors.id, after),
        bounds.belowRulesVersion === undefined ? undefined : lt(visitors.rulesVersion, bounds.belowRulesVersion),
      ),
    )
    .orderBy(asc(visitors.id))
    .limit(bounds.maxLeads);
  if (leads.length === 0) return { leads, aliases: new Map(), events: new Map(), next: null, eventsRead: 0 };

  // Ids off the lead_id index, then rows by key: asked for whole rows by lead_id, SQLite walks the site's
  // whole primary-key range instead (see idsWhere).
  const merged = await db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), idsWhere(db, siteId, sql`${visitors.leadId} IN ${jsonIdList(leads.map((l) => l.id))}`)));
  const aliases = new Map<string, VisitorRow[]>();
  for (const row of merged) aliases.set(row.leadId as string, [...(aliases.get(row.leadId as string) ?? []), row]);
  const idsOf = (lead: VisitorRow) => [lead.id, ...(aliases.get(lead.id) ?? []).map((a) => a.id)];

  const counts = await db
    .select({ visitorId: events.visitorId, n: sql<number>`count(*)` })
    .from(events)
    .where(and(eq(events.siteId, siteId), sql`${events.visitorId} IN ${jsonIdList(leads.flatMap(idsOf))}`))
    .groupBy(events.visitorId);
  const countOf = new Map(counts.map((c) => [c.visitorId, c.n]));
  const taken: VisitorRow[] = [];
  let budget = 0;
  for (const lead of leads) {
    const n = idsOf(lead).reduce((sum, id) => sum + (countOf.get(id) ?? 0), 0);
    if (taken.length > 0 && budget + n > bounds.maxEvents) break;
    taken.push(lead);
    budget += n;
  }

  const rows = budget === 0 ? [] : await db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), sql`${events.visitorId} IN ${jsonIdList(taken.flatMap(idsOf))}`));
  const leadOf = new Map(taken.flatMap((l) => idsOf(l).map((id) => [id, l.id] as const)));
  const byLead = new Map<string, EventRow[]>(taken.map((l) => [l.id, []]));
  for (const row of rows) byLead.get(leadOf.get(row.visitorId) as string)?.push(row);

  const last = taken[taken.length - 1] as VisitorRow;
  const more = taken.length < leads.length || leads.length === bounds.maxLeads;
  return { leads: taken, aliases, events: byLead, next: more ? last.id : null, eventsRead: rows.length };
}
