// The load benchmark: the worker under `wrangler dev` on 127.0.0.1, 50 connections sending 20,000 new
// beacon events (plus 1,000 retries of accepted ones), then the stored events checked against the
// accepted ids (none lost, none doubled) and the database dump checked for IP addresses and user agents.
// A bare endpoint of the same worker (GET /healthz) and a one-INSERT D1 worker (test/bench/floor/) under its
// own `wrangler dev` are measured in the same run for scale: the floor is what any beacon endpoint that
// stores one row in D1 costs on this machine.
// Run by `npm run bench` (test/bench/run.ts), which puts its BENCH line into README.md.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import autocannon from "autocannon";
import { prepare } from "../../tracker/demo/local-stack.ts";
import { busiestThreadSeconds, cpuSecondsOf, threadCpuSecondsOf } from "./process-cpu.ts";

// --port=N moves the collector to N and the floor to N+1, their inspectors to N+2 and N+3 (for runs beside other work on the machine);
// --events=N sends N new beacons (and N/20 retries) instead of 20,000, for quicker comparisons.
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const PORT = Number(flag("port") ?? 8801);
const FLOOR_PORT = PORT + 1;
const HOST = `http://127.0.0.1:${PORT}`;
const FLOOR = `http://127.0.0.1:${FLOOR_PORT}`;
const TOKEN = "bench-token";
const CONNECTIONS = 50;
const NEW_EVENTS = Number(flag("events") ?? 20_000);
const RETRIES = Math.round(NEW_EVENTS / 20);
const SITES = 50;
const VISITORS_PER_SITE = 100;
const ORIGIN = "https://bench.example";
// A real browser's user agent with a marker, so the dump check can look for it.
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 LeadscoreBench/1";
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
const wrangler = join("node_modules", ".bin", "wrangler");

const persistTo = mkdtempSync(join(tmpdir(), "leadscore-bench-"));
prepare(persistTo);
const child = spawn(
  wrangler,
  ["dev", "--ip", "127.0.0.1", "--port", String(PORT), "--inspector-port", String(PORT + 2), "--persist-to", persistTo, "--var", `API_TOKEN:${TOKEN}`, "--show-interactive-dev-session=false", "--log-level", "error"],
  { env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] },
);
const floorPersistTo = mkdtempSync(join(tmpdir(), "leadscore-floor-"));
const floor = spawn(
  wrangler,
  ["dev", "--config", "test/bench/floor/wrangler.toml", "--ip", "127.0.0.1", "--port", String(FLOOR_PORT), "--inspector-port", String(PORT + 3), "--persist-to", floorPersistTo, "--show-interactive-dev-session=false", "--log-level", "error"],
  { env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] },
);
let output = "";
for (const p of [child, floor]) {
  p.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  p.stderr?.on("data", (c: Buffer) => (output += c.toString()));
}

async function stop(p: typeof child): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((resolve) => p.once("exit", resolve));
  p.kill("SIGTERM");
  await exited;
}

const stopWorker = () => stop(child);

async function waitForWorker(p: typeof child, url: string, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try {
      if ((await fetch(url, init)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer within 60 s:\n${output}`);
}

/** What one load gave, with the server's CPU milliseconds per request: all of it, and its busiest thread's. */
type Measured = Run & { cpuMs: number | null; threadMs: number | null };

/** Runs a load and answers autocannon's result with the server's CPU milliseconds per request. */
async function measured(server: typeof child, load: () => Promise<Run>): Promise<Measured> {
  const before = cpuSecondsOf(server.pid);
  const threadsBefore = threadCpuSecondsOf(server.pid);
  const r = await load();
  const after = cpuSecondsOf(server.pid);
  const busiest = busiestThreadSeconds(threadsBefore, threadCpuSecondsOf(server.pid));
  const perRequestMs = (seconds: number | null) => (seconds === null ? null : Number(((seconds * 1000) / r.requests.total).toFixed(2)));
  return { ...r, cpuMs: before === null || after === null ? null : perRequestMs(after - before), threadMs: perRequestMs(busiest) };
}

/** A beacon body with one page view, as the tracker sends it. */
function beaconOf(sent: Sent, now: number): string {
  const path = pick(["/", "/pricing", "/contact", "/blog/post", "/docs/start"]);
  return JSON.stringify({ s: sent.site, v: sent.visitor, t: now, e: [{ i: sent.id, n: "pageview", t: now, u: `${ORIGIN}${path}?utm_source=bench` }] });
}

/** Every table's schema and every row, as text: what `sqlite3 .dump` would show. */
function dumpDatabase(db: DatabaseSync): string {
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as { name: string; sql: string }[];
  const lines: string[] = [];
  for (const t of tables) {
    lines.push(`${t.sql};`);
    for (const row of db.prepare(`SELECT * FROM "${t.name}"`).all()) lines.push(`INSERT INTO "${t.name}" VALUES ${JSON.stringify(Object.values(row))};`);
  }
  return lines.join("\n");
}

const siteId = (i: number) => `bench-${String(i).padStart(2, "0")}`;
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

interface Sent {
  site: string;
  visitor: string;
  id: string;
}

/** The parts of autocannon's result this benchmark reports (autocannon ships no types). */
interface Run {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

function figures(r: Measured) {
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, cpuMs: r.cpuMs, threadMs: r.threadMs };
}

async function main() {
  await waitForWorker(child, `${HOST}/healthz`);
  await waitForWorker(floor, FLOOR, { method: "POST", body: beaconOf({ site: "warm", visitor: "warm", id: "warm-0" }, Date.now()) });
  for (let i = 0; i < SITES; i++) {
    const res = await fetch(`${HOST}/api/sites`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ id: siteId(i), name: `Bench ${i}`, origins: [ORIGIN] }),
    });
    if (res.status !== 201) throw new Error(`creating a site: ${res.status} ${await res.text()}`);
  }
  // Warm the isolate and D1 before measuring.
  await autocannon({ url: `${HOST}/healthz`, connections: 10, amount: 500 });

  console.error(`load: sites ready (${persistTo})`);
  const bare = await measured(child, () => autocannon({ url: `${HOST}/healthz`, connections: CONNECTIONS, amount: NEW_EVENTS + RETRIES }));

  console.error(`load: bare endpoint ${Math.round(bare.requests.average)} req/s`);
  let floorCounter = 0;
  const floorRun = await measured(floor, () => autocannon({
    url: FLOOR,
    connections: CONNECTIONS,
    amount: NEW_EVENTS + RETRIES,
    requests: [
      {
        method: "POST",
        setupRequest(request) {
          floorCounter += 1;
          request.headers = { "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, "user-agent": USER_AGENT };
          request.body = beaconOf({ site: siteId(floorCounter % SITES), visitor: "floor", id: `floor-${floorCounter}` }, Date.now());
          return request;
        },
      },
    ],
  }));
  await stop(floor);
  console.error(`load: one-INSERT floor ${Math.round(floorRun.requests.average)} req/s`);
  let counter = 0;
  let retriesLeft = RETRIES;
  const accepted = new Map<string, Sent>();
  const acceptedList: Sent[] = [];
  const answers: Record<string, number> = {};
  let retriedCountedAgain = 0;
  const failures: string[] = [];
  const collect = await measured(child, () => autocannon({
    url: `${HOST}/e`,
    connections: CONNECTIONS,
    amount: NEW_EVENTS + RETRIES,
    requests: [
      {
        method: "POST",
        setupRequest(request, context: { sent?: Sent; retry?: boolean }) {
          // One request in twenty-one is a retry of an event already accepted, as a tracker sends after a lost answer.
          const retry = retriesLeft > 0 && acceptedList.length > 100 && Math.random() < RETRIES / (NEW_EVENTS + RETRIES);
          let sent: Sent;
          if (retry) {
            retriesLeft -= 1;
            sent = pick(acceptedList);
          } else {
            counter += 1;
            const site = siteId(Math.floor(Math.random() * SITES));
            sent = { site, visitor: `visitor-${site}-${Math.floor(Math.random() * VISITORS_PER_SITE)}`, id: `event-${String(counter).padStart(8, "0")}` };
          }
          context.sent = sent;
          context.retry = retry;
          // Each beacon from a client address of its own (198.18.0.0/15, the benchmarking range), as from many
          // browsers: wrangler dev would otherwise count every new visitor against 127.0.0.1's allowance.
          const client = `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
          request.headers = { "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, "user-agent": USER_AGENT, "cf-connecting-ip": client };
          request.body = beaconOf(sent, Date.now());
          return request;
        },
        onResponse(status, body, context: { sent?: Sent; retry?: boolean }) {
          const key = context.retry ? `${status} retry` : String(status);
          answers[key] = (answers[key] ?? 0) + 1;
          if (status >= 500 && failures.length < 5) failures.push(`${status} ${body}`);
          if (status !== 202 || !context.sent) return;
          const result = JSON.parse(body) as { accepted: number };
          if (result.accepted === 1) {
            if (context.retry || accepted.has(context.sent.id)) retriedCountedAgain += 1;
            accepted.set(context.sent.id, context.sent);
            acceptedList.push(context.sent);
          }
        },
      },
    ],
  }));

  // The database as it was left: stop the worker, open D1's SQLite file, read the events and dump it all.
  await stopWorker();
  const d1Dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(d1Dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database under ${d1Dir}`);
  const db = new DatabaseSync(join(d1Dir, file), { readOnly: true });
  const stored = db.prepare("SELECT site_id, visitor_id, id FROM events").all() as { site_id: string; visitor_id: string; id: string }[];
  const dump = dumpDatabase(db);
  db.close();

  const storedIds = new Map<string, number>();
  for (const row of stored) storedIds.set(row.id, (storedIds.get(row.id) ?? 0) + 1);
  const lost = [...accepted.keys()].filter((id) => !storedIds.has(id)).length;
  const duplicated = [...storedIds.values()].filter((n) => n > 1).length + retriedCountedAgain;
  const unexpected = [...storedIds.keys()].filter((id) => !accepted.has(id)).length;
  const mismatched = stored.filter((r) => {
    const sent = accepted.get(r.id);
    return sent !== undefined && (sent.site !== r.site_id || sent.visitor !== r.visitor_id);
  }).length;

  const c = figures(collect);
  const b = figures(bare);
  const f = figures(floorRun);
  const result = {
    bench: "load",
    connections: CONNECTIONS,
    collect: c,
    bare: b,
    floor: f,
    ratio: Number((c.rps / b.rps).toFixed(3)),
    floorRatio: Number((c.rps / f.rps).toFixed(3)),
    answers,
    acceptedUnique: accepted.size,
    storedEvents: stored.length,
    lost,
    duplicated,
    unexpected: unexpected + mismatched,
    dump: { bytes: dump.length, ip: dump.split("127.0.0.1").length - 1, userAgent: dump.split("LeadscoreBench").length - 1 + dump.split("Mozilla/5.0").length - 1 },
  };
  console.log(`BENCH ${JSON.stringify(result)}`);
  // What the collector said and logged about its 5xx answers, to tell load from a fault.
  if (failures.length > 0) console.error(`load: 5xx answers, e.g.\n${failures.join("\n")}\n${output.split("\n").filter((l) => /error/i.test(l)).slice(0, 20).join("\n")}`);
  const failed = accepted.size < NEW_EVENTS * 0.99 || lost > 0 || duplicated > 0 || result.unexpected > 0 || result.dump.ip > 0 || result.dump.userAgent > 0;
  if (failed) throw new Error("the load run lost, doubled or leaked something; see the BENCH line above");
}

try {
  await main();
} finally {
  await stopWorker();
  await stop(floor);
  rmSync(persistTo, { recursive: true, force: true });
  rmSync(floorPersistTo, { recursive: true, force: true });
}
