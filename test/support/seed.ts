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
  const rows = history.map((e, seq) => ({ siteId, visitorId, id: e.id, seq, ts: e.ts, receivedAt: e.ts, type: e.type, path: e.path ?? null, props: null }));
  const inserts = [];
  for (let i = 0; i < rows.length; i += 11) inserts.push(db.insert(events).values(rows.slice(i, i + 11)));
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
  });
}
