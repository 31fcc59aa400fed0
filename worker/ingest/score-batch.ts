import type { EventRow } from "../../schema";
import type { Database } from "../store/db";
import { StaleWrite } from "../store/guard";
import { commitScored, loadScoringInput } from "../store/visitor-writes";
import { scoringSettings, type SiteWithRules } from "../store/sites";
import { apply, dedupe } from "../scoring/engine";
import { emptyState } from "../scoring/state";
import { ApiError, storageUnavailable } from "../lib/errors";
import { sha256Hex } from "../lib/hash";

/** An event ready to score: validated, its time corrected for clock skew. */
export interface IncomingEvent {
  id: string;
  type: string;
  ts: number;
  path: string | null;
  props: Record<string, unknown> | null;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Set when the batch was accepted but deliberately not stored: the visitor id was erased. */
  ignored?: "erased";
}

/** Limits a caller may put on a batch. */
export interface BatchLimits {
  /** At most this many events per visitor per clock minute (a fixed window kept on the visitor row). */
  eventsPerVisitorMinute?: number;
}

/** The rate-limit window length: one clock minute. */
export const RATE_WINDOW_MS = 60_000;

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

/**
 * Scores a batch of events for one visitor and stores it atomically. `authorize` sees the site before
 * anything is written and may throw to refuse the batch. Retried or duplicated event ids count once; an
 * erased visitor id is accepted and ignored; a visitor over `limits` is refused with a 429.
 */
export async function scoreBatch(
  db: Database,
  siteId: string,
  visitorId: string,
  batch: IncomingEvent[],
  receivedAt: number,
  authorize: (site: SiteWithRules) => void,
  source: Record<string, string> | null,
  limits: BatchLimits = {},
): Promise<IngestResult> {
  const unique = dedupe(batch);
  const ids = unique.map((e) => e.id);
  const visitorHash = await sha256Hex(visitorId);
  const windowStart = receivedAt - (receivedAt % RATE_WINDOW_MS);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const input = await store(() => loadScoringInput(db, siteId, visitorId, visitorHash, ids));
    if (!input.site) throw new ApiError("not_found", `unknown site "${siteId}"`);
    authorize(input.site);
    if (input.erased) return { accepted: 0, duplicates: 0, ignored: "erased" };
    const { site, rules } = input.site;
    const fresh = unique.filter((e) => !input.knownIds.has(e.id));
    const duplicates = batch.length - fresh.length;
    if (fresh.length === 0) return { accepted: 0, duplicates };

    const inWindow = input.visitor?.windowStart === windowStart ? input.visitor.windowEvents : 0;
    const limit = limits.eventsPerVisitorMinute;
    if (limit !== undefined && inWindow + fresh.length > limit) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + RATE_WINDOW_MS - receivedAt) / 1000));
      throw new ApiError("rate_limited", `at most ${limit} events per visitor per minute`, { "Retry-After": String(retryAfter) });
    }

    const settings = scoringSettings(site);
    let state = input.visitor?.state ?? emptyState();
    const rows: EventRow[] = [];
    for (const event of fresh) {
      rows.push({ siteId, visitorId, id: event.id, seq: state.n, ts: event.ts, receivedAt, type: event.type, path: event.path, props: event.props });
      state = apply(state, event, rules, settings).state;
    }
    try {
      await store(() => commitScored(db, {
        siteId,
        visitorId,
        visitorHash,
        rulesVersion: site.rulesVersion,
        readVersion: input.visitor?.version ?? null,
        state,
        firstSeen: input.visitor?.firstSeen ?? (fresh[0] as IncomingEvent).ts,
        lastSeen: state.lastTs ?? receivedAt,
        source: input.visitor ? null : source,
        windowStart,
        windowEvents: inWindow + fresh.length,
        events: rows,
      }));
      return { accepted: fresh.length, duplicates };
    } catch (err) {
      if (!(err instanceof StaleWrite)) throw err;
      await sleep(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
    }
  }
  throw new ApiError("unavailable", "too many concurrent writes for this visitor; retry shortly", { "Retry-After": "1" });
}
