// Seeds the bench site straight into the SQLite file Miniflare serves as D1: schema/migrations applied in
// order, then leads and events written by INSERT ... SELECT over a recursive CTE joined to the template
// leads (templates.ts), so a million leads and ten million events take a minute or two, not hours.
// Usage (bundled): node seed.mjs <persistDir> <leads> <nowMs> <port>
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { accountOf } from "../../../worker/scoring/accounts";
import { reachesThreshold, ruleSetSchema } from "../../../worker/scoring/rules";
import { emptyState } from "../../../worker/scoring/state";
import { encodeState } from "../../../worker/store/state-codec";
import { createD1File } from "./d1-file";
import { BENCH_SITE, FULL_LEAD, leadId, leadIdSql } from "./ids";
import { MAX_LEAD_EVENTS } from "../../../worker/ingest/lead-history";
import { benchRules } from "./rules";
import { EMAIL_MARK, templates } from "./templates";

const TEMPLATES = 1_000;
const CHUNK = 50_000;

function applyMigrations(db: DatabaseSync): void {
  const dir = "schema/migrations";
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) db.exec(statement);
    }
  }
}

function seedTemplates(db: DatabaseSync, now: number): void {
  const rules = ruleSetSchema.parse(benchRules());
  db.exec(`CREATE TEMP TABLE tpl (t INTEGER PRIMARY KEY, state TEXT, score REAL, prospect_since INTEGER, first_seen INTEGER, last_seen INTEGER, last_seq INTEGER, next_change_at INTEGER, account TEXT, by_email INTEGER, stored_events INTEGER);
    CREATE TEMP TABLE tpl_ev (t INTEGER, k INTEGER, seq INTEGER, ts INTEGER, type TEXT, path TEXT, props TEXT, PRIMARY KEY (t, k));`);
  const insertTpl = db.prepare("INSERT INTO tpl VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const insertEv = db.prepare("INSERT INTO tpl_ev VALUES (?, ?, ?, ?, ?, ?, ?)");
  templates(TEMPLATES, rules, now).forEach((tpl, t) => {
    const first = tpl.events[0] as (typeof tpl.events)[number];
    const last = tpl.events.at(-1) as (typeof tpl.events)[number];
    const prospectSince = reachesThreshold(rules, tpl.score) ? (tpl.state.prospectSince ?? last.ts) : null;
    // The account as the write path stores it: the company trait, else (filled per lead) the email's domain.
    const account = accountOf({ ...tpl.state, email: null });
    const byEmail = account === null && tpl.state.email === EMAIL_MARK ? 1 : 0;
    insertTpl.run(t, encodeState(tpl.state), tpl.score, prospectSince, first.ts, last.ts, last.seq, tpl.nextChangeAt, account, byEmail, tpl.events.length);
    tpl.events.forEach((e, k) => insertEv.run(t, k, e.seq, e.ts, e.type, e.path ?? null, e.props ? JSON.stringify(e.props) : null));
  });
}

/**
 * Writes leads from..to (inclusive). Lead i copies template t(i); a third of the leads are identified
 * (an email, traits from an identify event, so an account: one of 97 companies), one in ten has a second visitor id merged into it and one
 * in fifty a third, holding the lead's first events.
 */
function seedLeads(db: DatabaseSync, from: number, to: number): void {
  const leads = `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}),
    lead AS (SELECT i, ${leadIdSql("i")} AS id,
      CASE WHEN i % 3 = 0 THEN 2 * ((i * 7919) % ${TEMPLATES / 2}) ELSE 2 * ((i * 7919) % ${TEMPLATES / 2}) + 1 END AS t,
      CASE WHEN i % 3 = 0 THEN printf('person.%d@company%d.example', i, i % 5000) END AS email FROM n)`;
  // Scored under rule set version 1, the site's version in force.
  db.exec(`INSERT INTO visitors (site_id, id, score, prospect_since, state, version, first_seen, last_seen, source, email, lead_id, last_seq, rules_version, next_change_at, account, stored_events)
    ${leads} SELECT '${BENCH_SITE}', lead.id, tpl.score, tpl.prospect_since,
      CASE WHEN lead.email IS NULL THEN tpl.state ELSE replace(tpl.state, '${EMAIL_MARK}', lead.email) END,
      1, tpl.first_seen, tpl.last_seen,
      CASE WHEN lead.i % 4 = 0 THEN '{"referrer":"https://www.google.com/","utm_source":"newsletter","utm_campaign":"spring"}' END,
      lead.email, NULL, tpl.last_seq, 1, tpl.next_change_at,
      coalesce(tpl.account, CASE WHEN tpl.by_email = 1 AND lead.email IS NOT NULL THEN substr(lead.email, instr(lead.email, '@') + 1) END),
      tpl.stored_events
    FROM lead JOIN tpl USING (t)`);
  const empty = encodeState(emptyState());
  db.exec(`INSERT INTO visitors (site_id, id, score, prospect_since, state, version, first_seen, last_seen, source, email, lead_id, last_seq, rules_version, next_change_at)
    ${leads}, alias(suffix, every) AS (VALUES ('_b', 10), ('_c', 50))
    SELECT '${BENCH_SITE}', lead.id || alias.suffix, 0, NULL, '${empty}', 2, tpl.first_seen, tpl.first_seen, NULL, NULL, lead.id, 0, 1, NULL
    FROM lead JOIN tpl USING (t) JOIN alias ON lead.i % alias.every = 1`);
  // Events 0-1 of a lead with a second visitor id came from it, event 2 from the third one.
  db.exec(`INSERT INTO events (site_id, visitor_id, id, seq, ts, type, path, props)
    ${leads} SELECT '${BENCH_SITE}',
      lead.id || CASE WHEN lead.i % 50 = 1 AND ev.k = 2 THEN '_c' WHEN lead.i % 10 = 1 AND ev.k < 2 THEN '_b' ELSE '' END,
      printf('%010d_%010d_%010d_%010d', lead.i * 4093 + ev.k, (lead.i * 69069 + ev.k * 1013) % 4294967296, (ev.seq / 1000) % 4294967296, (lead.i * 31 + ev.k) % 4294967296),
      ev.seq, ev.ts, ev.type, ev.path,
      CASE WHEN lead.email IS NULL OR ev.props IS NULL THEN ev.props ELSE replace(ev.props, '${EMAIL_MARK}', lead.email) END
    FROM lead JOIN tpl_ev ev USING (t)`);
}

/**
 * Gives lead FULL_LEAD page views until it keeps one event short of the most a lead may keep
 * (lead-history.ts), over its last six days: the heaviest lead a site can have, for the operations that
 * replay a lead's whole history (a rescore chunk, a beacon under new rules).
 */
function seedFullHistory(db: DatabaseSync, now: number): void {
  const id = leadId(FULL_LEAD);
  const kept = Number((db.prepare("SELECT count(*) AS n FROM events WHERE site_id = ? AND visitor_id = ?").get(BENCH_SITE, id) as { n: number }).n);
  const extra = MAX_LEAD_EVENTS - 1 - kept;
  const start = now - 6 * 86_400_000;
  db.prepare(`INSERT INTO events (site_id, visitor_id, id, seq, ts, type, path, props)
    WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < ?3)
    SELECT ?1, ?2, printf('full_%010d', j), (?4 + j * 50000) * 1000, ?4 + j * 50000, 'pageview',
      CASE j % 3 WHEN 0 THEN '/' WHEN 1 THEN '/pricing' ELSE '/docs/start' END, NULL FROM k`).run(BENCH_SITE, id, extra, start);
  db.prepare("UPDATE visitors SET stored_events = ?3, last_seq = max(last_seq, ?4) WHERE site_id = ?1 AND id = ?2").run(BENCH_SITE, id, MAX_LEAD_EVENTS - 1, (start + (extra - 1) * 50_000) * 1000);
}

/** Seeds `leads` leads for the bench site into a new database under `persistDir`; answers counts. */
export async function seed(persistDir: string, leads: number, now: number, port: number): Promise<{ leads: number; visitors: number; events: number; seconds: number }> {
  const started = Date.now();
  const db = new DatabaseSync(await createD1File(persistDir, port));
  db.exec("PRAGMA journal_mode = DELETE; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -400000; PRAGMA temp_store = MEMORY;");
  applyMigrations(db);
  db.exec("BEGIN");
  db.prepare(`INSERT INTO sites (id, name, origins, timezone, list_hour, rules_version, created_at, retention_days) VALUES (?, 'Bench', ?, 'UTC', 0, 1, ?, 60)`).run(
    BENCH_SITE,
    JSON.stringify(["https://bench.example"]),
    now - 400 * 86_400_000,
  );
  db.prepare("INSERT INTO rule_sets (site_id, version, rules, created_at) VALUES (?, 1, ?, ?)").run(BENCH_SITE, JSON.stringify(ruleSetSchema.parse(benchRules())), now - 400 * 86_400_000);
  seedTemplates(db, now);
  // Secondary indexes are built once the rows are in (one sort each), not row by row in random order.
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('visitors', 'events')").all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  for (let from = 1; from <= leads; from += CHUNK) seedLeads(db, from, Math.min(leads, from + CHUNK - 1));
  seedFullHistory(db, now);
  for (const index of indexes) db.exec(index.sql);
  db.exec("COMMIT");
  const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
  const result = {
    leads: count("SELECT count(*) AS n FROM visitors WHERE lead_id IS NULL"),
    visitors: count("SELECT count(*) AS n FROM visitors"),
    events: count("SELECT count(*) AS n FROM events"),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  db.exec("PRAGMA journal_mode = WAL");
  db.close();
  return result;
}

if (process.argv[1]?.endsWith("seed.mjs")) {
  const [dir, leads, now, port] = process.argv.slice(2);
  console.log(`SEEDED ${JSON.stringify(await seed(dir as string, Number(leads), Number(now), Number(port)))}`);
}
