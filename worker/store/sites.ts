import { eq, gt } from "drizzle-orm";
import { ruleSets, sites, type SiteRow } from "../../schema";
import type { RuleSet, ScoringSettings } from "../scoring/rules";
import type { Database } from "./db";
import { forgetSite } from "./isolate-cache";

/** A site with the rule set in force. */
export interface SiteWithRules {
  site: SiteRow;
  rules: RuleSet;
}

/** The engine settings a site implies. */
export function scoringSettings(site: SiteRow): ScoringSettings {
  return { visitTimeoutMs: site.visitTimeoutMin * 60_000, timezone: site.timezone };
}

/** Creates a site and its first rule set in one batch; false when the id is taken. */
export async function insertSite(db: Database, site: SiteRow, rules: RuleSet): Promise<boolean> {
  forgetSite(site.id);
  const inserted = await db.batch([
    db.insert(sites).values(site).onConflictDoNothing().returning({ id: sites.id }),
    // A site that already existed keeps its rules: this insert only lands with a new site.
    db.insert(ruleSets).values({ siteId: site.id, version: 1, rules, createdAt: site.createdAt }).onConflictDoNothing(),
  ]);
  return inserted[0].length === 1;
}

/** Every site, oldest first. */
export function listSites(db: Database): Promise<SiteRow[]> {
  return db.select().from(sites).orderBy(sites.createdAt, sites.id);
}

/** One site, or undefined. */
export async function findSite(db: Database, id: string): Promise<SiteRow | undefined> {
  return db.select().from(sites).where(eq(sites.id, id)).get();
}

// Every beacon reads its site's rules. Parsed rule sets are kept per stored text, so each isolate parses
// a version once, and the engine, handed the same object, reuses its compiled form (URL patterns and
// all) instead of compiling the rules again for every request. Keyed by the text itself, so no stale
// copy can ever be served.
const MAX_PARSED = 100;
const parsed = new Map<string, RuleSet>();

/** The rule set a stored JSON text holds (it was validated when stored), one shared copy per text. */
export function storedRuleSet(json: string): RuleSet {
  let rules = parsed.get(json);
  if (!rules) {
    if (parsed.size >= MAX_PARSED) parsed.clear();
    rules = JSON.parse(json) as RuleSet;
    parsed.set(json, rules);
  }
  return rules;
}
/** Changes a site's settings that do not touch scoring; returns the updated site, or undefined. */
export async function updateSite(
  db: Database,
  id: string,
  changes: Partial<Pick<SiteRow, "name" | "origins" | "listHour" | "retentionDays" | "webhookUrl" | "webhookSecret">>,
): Promise<SiteRow | undefined> {
  const rows = await db.update(sites).set(changes).where(eq(sites.id, id)).returning();
  // This isolate's beacons see the change at once; other isolates within their cache's few seconds.
  forgetSite(id);
  return rows[0];
}

/** A page of sites in id order after `after`: what the cron needs to tell which are due. */
export function sitesAfter(db: Database, after: string | null, limit: number) {
  return db
    .select({ id: sites.id, timezone: sites.timezone, listHour: sites.listHour })
    .from(sites)
    .where(after === null ? undefined : gt(sites.id, after))
    .orderBy(sites.id)
    .limit(limit);
}
