import type { ScoreState } from "../scoring/state";
import type { SiteWithRules } from "./sites";

/**
 * What the write path keeps per isolate so a beacon can go straight to its guarded write (one D1 round
 * trip): sites with their rules for a few seconds, and each lead's row as this isolate last wrote it. Nothing
 * here is trusted: the write's guard checks the rules version, the lead's version and erasure, and a
 * tripped guard drops the entry and falls back to reading. What a guard does not check (a site's origins,
 * webhook) may lag a change made through another isolate by SITE_TTL_MS.
 */
export const SITE_TTL_MS = 5_000;
const MAX_LEADS = 5_000;

const sites = new Map<string, { value: SiteWithRules; until: number }>();
const leads = new Map<string, CachedLead>();

/** The lead row fields the write path scores from and guards on. */
export interface CachedLead {
  id: string;
  version: number;
  state: ScoreState;
  lastSeq: number;
  email: string | null;
  /** The account column as stored (see visitors.account). */
  account: string | null;
  firstSeen: number;
  windowStart: number;
  windowEvents: number;
  rulesVersion: number;
  /** The events the lead keeps (see visitors.storedEvents); null: not counted yet. */
  storedEvents: number | null;
}

/** The site and its rules, if read within SITE_TTL_MS. */
export function cachedSite(siteId: string, now: number): SiteWithRules | undefined {
  const hit = sites.get(siteId);
  if (hit && hit.until > now) return hit.value;
  if (hit) sites.delete(siteId);
  return undefined;
}

export function cacheSite(value: SiteWithRules, now: number): void {
  sites.set(value.site.id, { value, until: now + SITE_TTL_MS });
}

/** Drops a site (after this isolate changed it, or a guard found it stale). */
export function forgetSite(siteId: string): void {
  sites.delete(siteId);
}

const leadKey = (siteId: string, visitorId: string) => `${siteId}\n${visitorId}`;

/** The lead a visitor's events last went to, as this isolate wrote it. */
export function cachedLead(siteId: string, visitorId: string): CachedLead | undefined {
  return leads.get(leadKey(siteId, visitorId));
}

export function cacheLead(siteId: string, visitorId: string, lead: CachedLead): void {
  const key = leadKey(siteId, visitorId);
  // Re-inserting keeps the map in least-recently-written order, so the oldest entry goes first.
  leads.delete(key);
  if (leads.size >= MAX_LEADS) leads.delete(leads.keys().next().value as string);
  leads.set(key, lead);
}

export function forgetLead(siteId: string, visitorId: string): void {
  leads.delete(leadKey(siteId, visitorId));
}

/** Empties both caches (a test that resets the database between cases calls this too). */
export function clearIsolateCaches(): void {
  sites.clear();
  leads.clear();
}
