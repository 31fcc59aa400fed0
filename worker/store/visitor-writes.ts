import { sites, visitors, type VisitorRow } from "../../schema";
import type { Origin } from "../scoring/event";
import { accountOf } from "../scoring/accounts";
import { verifiedEmail, type ScoreState } from "../scoring/state";
import type { Database } from "./db";
import { eventValues } from "./events";
import { runGuarded } from "./guard";
import { prepared, rowOf } from "./raw-rows";
import { storedRuleSet, type SiteWithRules } from "./sites";
import { encodeState } from "./state-codec";
import { chunks } from "../lib/chunks";

/** Everything the write path reads before scoring a batch: a fixed number of rows, whatever the history. */
export interface ScoringInput {
  site: SiteWithRules | undefined;
  /** The visitor the events came from, and the lead that holds its score (the same row unless merged). */
  visitor: VisitorRow | undefined;
  lead: VisitorRow | undefined;
  /** Which of the batch's event ids are already stored. */
  knownIds: Set<string>;
  /** The visitor id was erased and may not be tracked again. */
  erased: boolean;
}

const SITE_WITH_RULES = `SELECT s.*, r.rules AS rules_json FROM sites s
  JOIN rule_sets r ON r.site_id = s.id AND r.version = s.rules_version WHERE s.id = ?1`;
const VISITOR = "SELECT * FROM visitors WHERE site_id = ?1 AND id = ?2";
const LEAD_OF_VISITOR = "SELECT * FROM visitors WHERE site_id = ?1 AND id = (SELECT lead_id FROM visitors WHERE site_id = ?1 AND id = ?2)";
// The ids travel as one JSON array, so the statement binds three parameters however many events come.
const KNOWN_IDS = "SELECT id FROM events WHERE site_id = ?1 AND visitor_id = ?2 AND id IN (SELECT value FROM json_each(?3))";
const TOMBSTONE = "SELECT 1 FROM erased_visitors WHERE site_id = ?1 AND visitor_hash = ?2";

/**
 * Reads site, rules, visitor and lead state, already-stored ids and the erasure tombstone in one round
 * trip. `visitorHash` is the hex SHA-256 of the visitor id (tombstones keep only that).
 */
export async function loadScoringInput(db: Database, siteId: string, visitorId: string, visitorHash: string, eventIds: string[]): Promise<ScoringInput> {
  const [site, visitorRows, leadRows, known, tombstone] = await db.$client.batch<Record<string, unknown>>([
    prepared(db, SITE_WITH_RULES).bind(siteId),
    prepared(db, VISITOR).bind(siteId, visitorId),
    prepared(db, LEAD_OF_VISITOR).bind(siteId, visitorId),
    prepared(db, KNOWN_IDS).bind(siteId, visitorId, JSON.stringify(eventIds)),
    prepared(db, TOMBSTONE).bind(siteId, visitorHash),
  ]);
  const visitorRaw = visitorRows?.results[0];
  const leadRaw = leadRows?.results[0];
  const visitor = visitorRaw ? rowOf(visitors, visitorRaw) : undefined;
  // A lead that is gone (erased) leaves its former alias to score on its own row.
  const lead = leadRaw ? rowOf(visitors, leadRaw) : visitor;
  const siteRaw = site?.results[0];
  return {
    site: siteRaw ? { site: rowOf(sites, siteRaw), rules: storedRuleSet(siteRaw.rules_json as string) } : undefined,
    visitor,
    lead,
    knownIds: new Set((known?.results ?? []).map((k) => k.id as string)),
    erased: (tombstone?.results.length ?? 0) > 0,
  };
}

/** A site and its rules in force, read alone (one statement), or undefined if there is no such site. */
export async function loadSite(db: Database, siteId: string): Promise<SiteWithRules | undefined> {
  const raw = (await prepared(db, SITE_WITH_RULES).bind(siteId).all<Record<string, unknown>>()).results[0];
  return raw && { site: rowOf(sites, raw), rules: storedRuleSet(raw.rules_json as string) };
}

/** An event to store, as scored. */
export interface NewEvent {
  visitorId: string;
  id: string;
  seq: number;
  ts: number;
  type: string;
  path: string | null;
  props: Record<string, unknown> | null;
  /** The website's beacon (web) or the API (api). */
  via: Origin;
}

/** What one scored batch changes: the new events and the lead's new state. */
export interface ScoredWrite {
  siteId: string;
  /** The row that holds the score: the visitor itself, or the lead it was merged into. */
  leadId: string;
  /** Hex SHA-256 of the visitor id: an erasure landing first aborts the write. */
  visitorHash: string;
  rulesVersion: number;
  /** When the site was created: a site recreated under the same id (tests do) is not the one read. */
  siteCreatedAt: number;
  /** The lead's version and email as read; version null for a visitor seen for the first time. */
  readVersion: number | null;
  readEmail: string | null;
  /** The lead's account column as read (undefined for a new visitor). */
  readAccount?: string | null | undefined;
  /** The lead's first-seen time and outcome columns as read (undefined for a new visitor). */
  readFirstSeen?: number | undefined;
  readOutcome?: string | null | undefined;
  readOutcomeAt?: number | null | undefined;
  /** The highest event sequence number given out, the new events included. */
  lastSeq: number;
  state: ScoreState;
  /** The score as of the write, kept in a column for the leaderboard's index. */
  score: number;
  /** See visitors.nextChangeAt, as of the write. */
  nextChangeAt: number | null;
  firstSeen: number;
  lastSeen: number;
  source: Record<string, string> | null;
  /** The visitor's rate-limit window after this write. */
  windowStart: number;
  windowEvents: number;
  events: NewEvent[];
}

// D1 binds at most 100 parameters per statement; an event row binds 10, or 9 in the guarded insert, which
// names the site once for the guard and its rows (6 + 9 x 10 = 96).
const ROWS_PER_INSERT = 10;

// A failing statement aborts a D1 batch and rolls all of it back; see guard.ts for why json('stale'). The
// guard rides on the batch's first event insert (one statement fewer for D1 to compile and run per beacon):
// its WHERE holds no column, so SQLite evaluates it before inserting any row, and a stale read aborts.
const GUARD = `(SELECT CASE WHEN s.rules_version IS NOT ?2 OR s.created_at IS NOT ?3
    OR (SELECT version FROM visitors WHERE site_id = ?1 AND id = ?4) IS NOT ?5
    OR EXISTS (SELECT 1 FROM erased_visitors WHERE site_id = ?1 AND visitor_hash = ?6)
  THEN json('stale') END FROM sites s WHERE s.id = ?1) IS NULL`;
const INSERT_VISITOR = `INSERT INTO visitors (site_id, id, score, prospect_since, state, version, first_seen, last_seen, source, email,
  last_seq, window_start, window_events, rules_version, next_change_at, outcome, outcome_at, account, stored_events)
  VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING stored_events`;
// The lead's kept events grow by the batch's (?13); a lead not counted yet (null) is counted here, once, over
// all its visitor ids, the batch's events (inserted earlier in the batch) included.
const UPDATE_SET = `UPDATE visitors SET score = ?3, prospect_since = ?4, state = ?5, version = ?6, last_seen = ?7, last_seq = ?8,
  window_start = ?9, window_events = ?10, rules_version = ?11, next_change_at = ?12,
  stored_events = coalesce(stored_events + ?13, (SELECT count(*) FROM events WHERE site_id = ?1
    AND visitor_id IN (SELECT ?2 UNION ALL SELECT id FROM visitors WHERE site_id = ?1 AND lead_id = ?2)))`;
const EVENT_COLUMNS = "INSERT INTO events (site_id, visitor_id, id, seq, ts, type, path, props, country, via)";
/** The SQL for each row count, made once per isolate rather than per beacon. */
function bySize(make: (rows: number) => string): (rows: number) => string {
  const made: string[] = [];
  return (rows) => (made[rows] ??= make(rows));
}
const insertEvents = bySize((rows) => `${EVENT_COLUMNS} VALUES ${Array(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`);
// Rows numbered from ?7, after the guard's six; each takes the site id as ?1.
const guardedInsertEvents = bySize(
  (rows) =>
    `${EVENT_COLUMNS} SELECT * FROM (VALUES ${Array.from({ length: rows }, (_, r) => `(?1, ${Array.from({ length: 9 }, (_, c) => `?${7 + r * 9 + c}`).join(", ")})`).join(", ")}) WHERE ${GUARD}`,
);

/**
 * The update of a lead's row. Naming the email, account, first-seen and outcome columns only when they change keeps
 * their indexes out of ordinary writes (an API event dated before the lead was first seen moves first seen back).
 */
function updateVisitor(db: Database, w: ScoredWrite, readVersion: number, state: string, email: string | null, account: string | null, outcome: string | null, outcomeAt: number | null) {
  const sets: string[] = [];
  const extra: (string | number | null)[] = [];
  const set = (column: string, value: string | number | null) => {
    extra.push(value);
    sets.push(`${column} = ?${13 + extra.length}`);
  };
  if (email !== w.readEmail) set("email", email);
  if (account !== (w.readAccount ?? null)) set("account", account);
  if (w.readFirstSeen !== undefined && w.firstSeen !== w.readFirstSeen) set("first_seen", w.firstSeen);
  if (outcome !== (w.readOutcome ?? null) || outcomeAt !== (w.readOutcomeAt ?? null)) {
    set("outcome", outcome);
    set("outcome_at", outcomeAt);
  }
  const sql = `${UPDATE_SET}${sets.map((s) => `, ${s}`).join("")} WHERE site_id = ?1 AND id = ?2 RETURNING stored_events`;
  return prepared(db, sql).bind(
    w.siteId, w.leadId, w.score, w.state.prospectSince, state, readVersion + 1, w.lastSeen, w.lastSeq,
    w.windowStart, w.windowEvents, w.rulesVersion, w.nextChangeAt, w.events.length, ...extra,
  );
}

/**
 * Writes a scored batch atomically: nothing lands unless the visitor and rules are still as they were read
 * and the visitor was not erased meanwhile; a concurrent insert of the same event id aborts it too. Throws
 * StaleWrite in both cases, so the caller can read again and rescore. A write carries at least one event.
 * Answers how many events the lead keeps after it.
 */
export async function commitScored(db: Database, w: ScoredWrite): Promise<number> {
  const state = encodeState(w.state);
  // The email column holds only a verified email: lookups by email and merges go by it. Naming it only
  // when it changes keeps its index out of ordinary writes.
  const email = verifiedEmail(w.state);
  const outcome = w.state.outcome?.outcome ?? null;
  const outcomeAt = w.state.outcome?.at ?? null;
  const account = accountOf(w.state);
  const visitorWrite =
    w.readVersion === null
      ? prepared(db, INSERT_VISITOR).bind(
          w.siteId, w.leadId, w.score, w.state.prospectSince, state, w.firstSeen, w.lastSeen, w.source ? JSON.stringify(w.source) : null,
          email, w.lastSeq, w.windowStart, w.windowEvents, w.rulesVersion, w.nextChangeAt, outcome, outcomeAt, account, w.events.length,
        )
      : updateVisitor(db, w, w.readVersion, state, email, account, outcome, outcomeAt);
  const [first, ...rest] = chunks(w.events, ROWS_PER_INSERT);
  if (!first) throw new Error("a scored write carries at least one event");
  const guarded = prepared(db, guardedInsertEvents(first.length)).bind(
    w.siteId, w.rulesVersion, w.siteCreatedAt, w.leadId, w.readVersion, w.visitorHash,
    ...first.flatMap((e) => eventValues(w.siteId, e).slice(1)),
  );
  const eventWrites = rest.map((rows) => prepared(db, insertEvents(rows.length)).bind(...rows.flatMap((e) => eventValues(w.siteId, e))));
  const results = await runGuarded(() => db.$client.batch<{ stored_events: number }>([guarded, ...eventWrites, visitorWrite]));
  const stored = results[results.length - 1]?.results[0]?.stored_events;
  if (typeof stored !== "number") throw new Error("the lead's row was not written");
  return stored;
}

/** The row values a lead rescored from its events takes. */
export interface RescoredValues {
  state: ScoreState;
  score: number;
  prospectSince: number | null;
  nextChangeAt: number | null;
  rulesVersion: number;
  lastSeq: number;
}

