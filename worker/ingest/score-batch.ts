import type { Database } from "../store/db";
import { StaleWrite } from "../store/guard";
import { cachedLead, cachedSite, cacheLead, cacheSite, forgetLead, forgetSite, type CachedLead } from "../store/isolate-cache";
import { commitScored, loadScoringInput, loadSite, type NewEvent } from "../store/visitor-writes";
import { scoringSettings, type SiteWithRules } from "../store/sites";
import { apply, dedupe } from "../scoring/engine";
import { totalScore } from "../scoring/evaluate";
import type { Origin } from "../scoring/event";
import { nextChangeAt } from "../scoring/next-change";
import { accountOf } from "../scoring/accounts";
import { emptyState, verifiedEmail } from "../scoring/state";
import { ApiError, storageUnavailable } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { mergeByEmail } from "./merge-leads";
import { replayLead } from "./rescore-lead";
import { prospectNotification, type Notification } from "./webhook";
import { takeVisitorEvents } from "./visitor-limit";
import { historyFull, historyHasRoom } from "./lead-history";

/** An event ready to score: validated, its time corrected for clock skew. */
export interface IncomingEvent {
  id: string;
  type: string;
  ts: number;
  path: string | null;
  props: Record<string, unknown> | null;
  /** The website's beacon (web) or the API (api). */
  via: Origin;
}

export interface IngestResult {
  /** Ids stored and scored by this call. */
  accepted: string[];
  /** How many events were already stored (or repeated within the batch). */
  duplicates: number;
  /** Set when the batch was accepted but deliberately not stored: the visitor id was erased. */
  ignored?: "erased";
  /** The webhook notice to send, when this batch made its lead a prospect and the site has a webhook. */
  notify?: Notification;
}

/** Limits a caller may put on a batch. */
export interface BatchLimits {
  /** At most this many events per lead in any 60 seconds (a bucket kept on the lead's row: visitor-limit.ts). */
  eventsPerVisitorMinute?: number;
  /** Called before a batch creates a visitor row; may throw to refuse it (the per-client limit on new ids). */
  newVisitor?: () => Promise<void>;
  /** Refuse events that would take the lead past the events it may keep (lead-history.ts). */
  boundHistory?: boolean;
}

/** The next sequence number of a lead: its receipt time in microseconds, always above the last one given. */
export function nextSeq(last: number, receivedAt: number): number {
  return Math.max(receivedAt * 1000, last + 1);
}

// Concurrent beacons for one visitor race on its version; the loser reads again and rescores. Backoff
// with jitter keeps a burst of them from colliding in lockstep.
const MAX_ATTEMPTS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Reads and writes on this path are atomic and retry-safe (event ids make a retry count once), so a
// storage failure is answered 503 + Retry-After rather than 500.
async function store<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StaleWrite || err instanceof ApiError) throw err;
    throw storageUnavailable(err);
  }
}

/** Where a beacon's scoring starts from: what was read, or what this isolate already knew. */
interface Start {
  site: SiteWithRules;
  lead: CachedLead | undefined;
  knownIds: ReadonlySet<string>;
  erased: boolean;
}

/**
 * The first attempt's start without reading, when this isolate knows the site (or reading the site alone, for a
 * lead it knows): the lead as this isolate last wrote it, or for a visitor it never saw, none (a new visitor). The write's guard checks every assumption
 * (rules version, the lead's version, or that no row exists, erasure) and a repeated event id fails its
 * insert, so a wrong guess costs a retry through the read path, never a wrong score.
 */
async function startFromCache(db: Database, siteId: string, visitorId: string, now: number): Promise<Start | undefined> {
  const lead = cachedLead(siteId, visitorId);
  let site = cachedSite(siteId, now);
  // For a lead this isolate knows, a site read more than SITE_TTL_MS ago is read again alone (one statement;
  // its rules text parses once per isolate), not with the lead's rows, known ids and tombstone: the write's
  // guard checks those.
  if (!site && lead) {
    site = await store(() => loadSite(db, siteId));
    if (site) cacheSite(site, now);
  }
  return site && { site, lead, knownIds: new Set(), erased: false };
}

async function startFromRead(db: Database, siteId: string, visitorId: string, visitorHash: string, ids: string[], now: number): Promise<Start> {
  const input = await store(() => loadScoringInput(db, siteId, visitorId, visitorHash, ids));
  if (!input.site) throw new ApiError("not_found", `unknown site "${siteId}"`);
  cacheSite(input.site, now);
  return { site: input.site, lead: input.lead, knownIds: input.knownIds, erased: input.erased };
}

/**
 * Scores a batch of events for one visitor and stores it atomically. `authorize` sees the site before
 * anything is written and may throw to refuse the batch. Retried or duplicated event ids count once; an
 * erased visitor id is accepted and ignored; a visitor over `limits` is refused with a 429. The score
 * goes to the visitor's lead: the visitor itself, or the lead it was merged into by email. A beacon this
 * isolate can start from its caches costs one D1 round trip: the guarded write.
 */
export async function scoreBatch(
  db: Database,
  siteId: string,
  visitorId: string,
  batch: IncomingEvent[],
  receivedAt: number,
  authorize: (site: SiteWithRules) => void | Promise<void>,
  source: Record<string, string> | null,
  limits: BatchLimits = {},
): Promise<IngestResult> {
  const unique = dedupe(batch);
  const ids = unique.map((e) => e.id);
  const visitorHash = await sha256Hex(visitorId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const cached = attempt === 0 ? await startFromCache(db, siteId, visitorId, receivedAt) : undefined;
    const input = cached ?? (await startFromRead(db, siteId, visitorId, visitorHash, ids, receivedAt));
    await authorize(input.site);
    if (input.erased) return { accepted: [], duplicates: 0, ignored: "erased" };
    const { site, rules } = input.site;
    const fresh = unique.filter((e) => !input.knownIds.has(e.id));
    const duplicates = batch.length - fresh.length;
    if (fresh.length === 0) return { accepted: [], duplicates };

    const lead = input.lead;
    const bucket = takeVisitorEvents(lead, fresh.length, receivedAt, limits.eventsPerVisitorMinute);
    if (!bucket.ok) throw new ApiError("rate_limited", `at most ${limits.eventsPerVisitorMinute} events per visitor in any minute`, { "Retry-After": String(bucket.retryAfterSeconds) });
    if (limits.boundHistory && !historyHasRoom(lead ? lead.storedEvents : 0, fresh.length)) {
      // This isolate's copy of the lead may predate a purge that made room: read again before refusing.
      if (cached) {
        forgetLead(siteId, visitorId);
        continue;
      }
      throw historyFull(lead?.id ?? visitorId);
    }
    if (!lead) await limits.newVisitor?.();

    const settings = scoringSettings(site);
    let state = lead?.state ?? emptyState();
    let seq = lead?.lastSeq ?? 0;
    // A lead last scored under an older rule set (a rescore job has not reached it yet) is replayed under
    // the rules in force first; the write then stamps the new version, and the job skips it.
    if (lead && lead.rulesVersion < site.rulesVersion) {
      const replayed = await store(() => replayLead(db, site, rules, lead.id));
      state = replayed.state;
      seq = Math.max(seq, replayed.lastSeq);
    }
    const rows: NewEvent[] = [];
    for (const event of fresh) {
      seq = nextSeq(seq, receivedAt);
      rows.push({ visitorId, id: event.id, seq, ts: event.ts, type: event.type, path: event.path, props: event.props, via: event.via });
      state = apply(state, event, rules, settings).state;
    }
    const leadId = lead?.id ?? visitorId;
    const written: CachedLead = {
      id: leadId,
      version: (lead?.version ?? 0) + 1,
      state,
      lastSeq: seq,
      email: verifiedEmail(state),
      account: accountOf(state),
      // API events keep their own times, so one dated before the lead was first seen moves firstSeen back.
      firstSeen: Math.min(lead?.firstSeen ?? Infinity, state.firstTs ?? (fresh[0] as IncomingEvent).ts),
      windowStart: bucket.windowStart,
      windowEvents: bucket.windowEvents,
      rulesVersion: site.rulesVersion,
      storedEvents: null,
    };
    try {
      written.storedEvents = await store(() =>
        commitScored(db, {
          siteId,
          leadId,
          visitorHash,
          rulesVersion: site.rulesVersion,
          siteCreatedAt: site.createdAt,
          readVersion: lead?.version ?? null,
          readEmail: lead?.email ?? null,
          readAccount: lead?.account,
          readFirstSeen: lead?.firstSeen,
          // The outcome columns follow the stored state's outcome, written with it.
          readOutcome: lead?.state.outcome?.outcome ?? null,
          readOutcomeAt: lead?.state.outcome?.at ?? null,
          lastSeq: seq,
          state,
          score: totalScore(state, rules, receivedAt),
          nextChangeAt: nextChangeAt(state, rules, receivedAt),
          firstSeen: written.firstSeen,
          lastSeen: state.lastTs ?? receivedAt,
          source: lead ? null : source,
          windowStart: bucket.windowStart,
          windowEvents: bucket.windowEvents,
          events: rows,
        }),
      );
    } catch (err) {
      forgetLead(siteId, visitorId);
      if (!(err instanceof StaleWrite)) throw err;
      forgetSite(siteId);
      // A guess from the caches that missed goes straight to reading; a lost race backs off first.
      if (!cached) await sleep(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
      continue;
    }
    cacheLead(siteId, visitorId, written);
    // A newly known email that another lead already has: they are one person. The events are stored
    // whatever happens here, so a failed merge is logged rather than answered as a failed beacon.
    // Only a verified email joins leads: a browser's unsigned claim stays on its own visitor.
    const email = verifiedEmail(state);
    if (email !== null && email !== (lead?.email ?? null)) {
      forgetLead(siteId, visitorId);
      await mergeByEmail(db, input.site, leadId, email, receivedAt).catch((err: unknown) => console.error("merging leads by email failed", err));
    }
    const crossed = (lead?.state.prospectSince ?? null) === null && state.prospectSince !== null;
    const notify = crossed ? prospectNotification(site, rules, leadId, state, receivedAt) : null;
    return { accepted: fresh.map((e) => e.id), duplicates, ...(notify ? { notify } : {}) };
  }
  throw new ApiError("unavailable", "too many concurrent writes for this visitor; retry shortly", { "Retry-After": "1" });
}
