import { env } from "cloudflare:workers";
import { database } from "../../worker/store/db";
import { events, visitors } from "../../schema";
import { replay } from "../../worker/scoring/engine";
import { totalScore } from "../../worker/scoring/evaluate";
import type { RuleSet, ScoringSettings } from "../../worker/scoring/rules";
import type { ScoredEvent } from "../../worker/scoring/event";

/** Stores `count` page views for a visitor straight into D1, with the state a replay of them gives. */
export async function seedHistory(siteId: string, visitorId: string, count: number, rules: RuleSet, settings: ScoringSettings): Promise<void> {
  const db = database(env.DB);
  const start = Date.now() - 6 * 86_400_000;
  const history: ScoredEvent[] = Array.from({ length: count }, (_, i) => ({ id: `seed-${visitorId}-${i}`, type: "pageview", ts: start + i * 20_000, path: "/" }));
  const rows = history.map((e, seq) => ({ siteId, visitorId, id: e.id, seq, ts: e.ts, type: e.type, path: e.path ?? null, props: null, country: null }));
  const inserts = [];
  // D1 binds at most 100 parameters per statement; an event row binds 10.
  for (let i = 0; i < rows.length; i += 10) inserts.push(db.insert(events).values(rows.slice(i, i + 10)));
  for (let i = 0; i < inserts.length; i += 500) {
    const chunk = inserts.slice(i, i + 500);
    if (chunk.length) await db.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
  }
  const state = replay(history, rules, settings);
  await db.insert(visitors).values({
    siteId,
    id: visitorId,
    score: totalScore(state, rules, state.lastTs ?? start),
    prospectSince: state.prospectSince,
    state,
    version: 1,
    rulesVersion: 1,
    firstSeen: start,
    lastSeen: state.lastTs ?? start,
    source: null,
    storedEvents: count,
  });
}

/** Stores many leads at once, each with `count` page views and the state a replay of them gives (a few batches in all). */
export async function seedLeads(siteId: string, visitorIds: string[], count: number, rules: RuleSet, settings: ScoringSettings): Promise<void> {
  const db = database(env.DB);
  const start = Date.now() - 6 * 86_400_000;
  const eventRows = [];
  const visitorRows = [];
  for (const visitorId of visitorIds) {
    const history: ScoredEvent[] = Array.from({ length: count }, (_, i) => ({ id: `seed-${visitorId}-${i}`, type: "pageview", ts: start + i * 20_000, path: "/" }));
    eventRows.push(...history.map((e, seq) => ({ siteId, visitorId, id: e.id, seq, ts: e.ts, type: e.type, path: e.path ?? null, props: null, country: null })));
    const state = replay(history, rules, settings);
    const lastTs = state.lastTs ?? start;
    visitorRows.push({ siteId, id: visitorId, score: totalScore(state, rules, lastTs), prospectSince: state.prospectSince, state, version: 1, rulesVersion: 1, firstSeen: start, lastSeen: lastTs, source: null, storedEvents: count });
  }
  // D1 binds at most 100 parameters per statement: 10 event rows (10 columns with via's default) or 4 visitor
  // rows (the given columns and those with defaults, over 20).
  const inserts = [];
  for (let i = 0; i < eventRows.length; i += 10) inserts.push(db.insert(events).values(eventRows.slice(i, i + 10)));
  for (let i = 0; i < visitorRows.length; i += 4) inserts.push(db.insert(visitors).values(visitorRows.slice(i, i + 4)));
  for (let i = 0; i < inserts.length; i += 200) {
    const chunk = inserts.slice(i, i + 200);
    if (chunk.length) await db.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
  }
}

/**
 * Merges `count` bare visitor ids (alias-0000, alias-0001, ...) into a lead straight in D1: a person who
 * cleared cookies often, with more visitor ids than one D1 statement can bind (100).
 */
export async function seedAliases(siteId: string, leadId: string, count: number): Promise<string[]> {
  const aliases = Array.from({ length: count }, (_, i) => `alias-${String(i).padStart(4, "0")}`);
  await env.DB.batch(
    aliases.map((id) =>
      env.DB.prepare(
        `INSERT INTO visitors (site_id, id, lead_id, score, state, version, first_seen, last_seen, last_seq, window_start, window_events, rules_version)
         VALUES (?, ?, ?, 0, '{}', 1, 0, 0, 0, 0, 0, 1)`,
      ).bind(siteId, id, leadId),
    ),
  );
  return aliases;
}
