// The scale bench's driver: seeds (or reuses) a database per scale, then runs every operation in a
// Node process of its own capped at a 128 MB heap, and collects what each invocation cost.
// Runs under plain Node (type stripping); the worker code it measures is bundled by esbuild first.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { build } from "esbuild";
import type { StepInput, StepOutput, Summary } from "./step.ts";

/** Options of one bench run. */
export interface HarnessOptions {
  scales: number[];
  /** Operation ids to run (all when omitted). */
  ops?: string[];
  /** Where seeded databases are kept between runs. */
  cacheDir?: string;
  /** First of the ports the bench's Miniflare instances listen on (it uses this one and the next). */
  port?: number;
  /** Longest a step may run before it counts as failed, in seconds. */
  stepTimeoutS?: number;
  /** Batches of one kind (a job's phase) a long job runs before the bench moves it on, or stops it. */
  perPhase?: number;
  log?: (line: string) => void;
}

/** What one scale measured. */
export interface ScaleResult {
  leads: number;
  visitors: number;
  events: number;
  seedSeconds: number;
  /** Size of the seeded database file over the events it holds. */
  bytesPerEvent: number;
  /** Each table with its indexes (events, visitors), per event. */
  tableBytesPerEvent: Record<string, number>;
  fileBytes: number;
  steps: StepOutput[];
}

/** The repository: seeding reads its migrations, steps read wrangler.toml, whatever the caller's directory. */
const ROOT = fileURLToPath(new URL("../../..", import.meta.url).href);
// Per run, so two runs at once (the bench and the harness's test) never read each other's half-written bundle.
const BUILD_DIR = join(ROOT, "node_modules/.cache/leadscore-bench", String(process.pid));
const SEED_MAX_AGE_MS = 3 * 86_400_000;

/**
 * Everything a seeded database depends on: the migrations and the bundled seeding script (with the scoring
 * code it computes states and next change times with). A change to any of it seeds again.
 */
function seedKey(seedScript: string): string {
  const hash = createHash("sha256");
  const migrations = join(ROOT, "schema/migrations");
  for (const f of readdirSync(migrations).filter((f) => f.endsWith(".sql")).sort()) hash.update(f).update(readFileSync(join(migrations, f)));
  hash.update(readFileSync(seedScript));
  return hash.digest("hex").slice(0, 16);
}

async function bundle(): Promise<{ seed: string; step: string }> {
  const out = { seed: join(BUILD_DIR, "seed.mjs"), step: join(BUILD_DIR, "step.mjs") };
  // Bundled next to node_modules so the one external package (miniflare) resolves.
  for (const [entry, outfile] of [["seed.ts", out.seed], ["step.ts", out.step]] as const) {
    await build({ absWorkingDir: ROOT, entryPoints: [join(ROOT, "test/bench/scale", entry)], outfile, bundle: true, format: "esm", platform: "node", external: ["miniflare"], logLevel: "error" });
  }
  return out;
}

/** Runs a process to its end; its process group is killed afterwards so no workerd it started lingers. */
function runProcess(args: string[], timeoutS: number): Promise<{ status: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d).slice(-20_000);
      if (process.env.LEADSCORE_BENCH_TRACE) process.stderr.write(d);
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutS * 1000);
    child.on("close", (status) => {
      clearTimeout(timer);
      killGroup();
      resolve({ status, stdout, stderr, timedOut });
    });
  });
}

/** The database file's size, and the bytes of each table with its indexes. */
function fileStats(persistDir: string): { fileBytes: number; tableBytes: Record<string, number> } {
  const dir = join(persistDir, "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite") as string;
  const db = new DatabaseSync(join(dir, file), { readOnly: true });
  try {
    const tableBytes: Record<string, number> = {};
    for (const table of ["events", "visitors"]) {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index')").all(table) as { name: string }[]).map((r) => r.name);
      // dbstat reads only the b-trees named, not the whole file.
      tableBytes[table] = names.reduce((sum, name) => sum + Number((db.prepare("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = ?").get(name) as { bytes: number }).bytes ?? 0), 0);
    }
    return { fileBytes: statSync(join(dir, file)).size, tableBytes };
  } finally {
    db.close();
  }
}

interface Seeded {
  leads: number;
  visitors: number;
  events: number;
  seconds: number;
  at: number;
}

async function seeded(seedScript: string, cacheDir: string, leads: number, port: number, log: (s: string) => void): Promise<{ dir: string; info: Seeded }> {
  const dir = join(cacheDir, `${leads}`);
  const marker = join(dir, "seeded.json");
  if (existsSync(marker)) {
    const info = JSON.parse(readFileSync(marker, "utf8")) as Seeded;
    if (Date.now() - info.at < SEED_MAX_AGE_MS) return { dir, info };
  }
  rmSync(dir, { recursive: true, force: true });
  log(`seeding ${leads.toLocaleString("en")} leads into ${dir}`);
  const at = Date.now();
  const run = await runProcess([seedScript, join(dir, "persist"), String(leads), String(at), String(port)], 3600);
  const line = /^SEEDED (.+)$/m.exec(run.stdout)?.[1];
  if (!line) throw new Error(`seeding failed:\n${run.stderr}`);
  const info = { ...(JSON.parse(line) as Omit<Seeded, "at">), at };
  writeFileSync(marker, JSON.stringify(info));
  return { dir, info };
}

function failedStep(op: string, why: string): StepOutput {
  const summary: Summary = {
    label: op,
    count: 1,
    wallMs: 0,
    cpuMs: 0,
    heapMB: Number.NaN,
    calls: 0,
    queries: 0,
    rowsRead: 0,
    rowsWritten: 0,
    maxParams: 0,
    maxRowBytes: 0,
    totalWallMs: 0,
    totalRowsRead: 0,
    totalRowsWritten: 0,
    violations: [why],
  };
  return { op, invocations: [summary], notes: { failed: why } };
}

/** Seeds (or reuses) each scale's database and measures every operation on a fresh copy of it. */
export async function runScaleBench(options: HarnessOptions): Promise<ScaleResult[]> {
  const log = options.log ?? ((line: string) => console.error(line));
  const port = options.port ?? 8820;
  // One cache per checkout: two checkouts seeded from different code must not clear each other's databases.
  const root = options.cacheDir ?? process.env.LEADSCORE_BENCH_CACHE ?? join(tmpdir(), "leadscore-bench-scale", createHash("sha256").update(ROOT).digest("hex").slice(0, 8));
  const scripts = await bundle();
  const key = seedKey(scripts.seed);
  const cacheDir = join(root, key);
  mkdirSync(cacheDir, { recursive: true });
  // Databases seeded from other migrations or seeding code are of no further use.
  for (const stale of readdirSync(root)) if (stale !== key) rmSync(join(root, stale), { recursive: true, force: true });
  try {
    return await measureScales(options, scripts, cacheDir, port, log);
  } finally {
    rmSync(BUILD_DIR, { recursive: true, force: true });
  }
}

async function measureScales(
  options: HarnessOptions,
  scripts: { seed: string; step: string },
  cacheDir: string,
  port: number,
  log: (line: string) => void,
): Promise<ScaleResult[]> {
  const listed = spawnSync(process.execPath, [scripts.step, "--list"], { cwd: ROOT, encoding: "utf8" });
  const ops = options.ops ?? (JSON.parse(/^OPS (.+)$/m.exec(listed.stdout)?.[1] ?? "[]") as string[]);
  const results: ScaleResult[] = [];
  for (const leads of options.scales) {
    const { dir, info } = await seeded(scripts.seed, cacheDir, leads, port + 1, log);
    const stats = fileStats(join(dir, "persist"));
    const work = join(cacheDir, `work-${leads}`);
    rmSync(work, { recursive: true, force: true });
    // Operations change the database; each run starts from the seeded copy.
    const copy = spawnSync("cp", ["-a", "--reflink=auto", join(dir, "persist"), work]);
    if (copy.status !== 0) throw new Error(`copying the seeded database failed: ${copy.stderr}`);
    const steps: StepOutput[] = [];
    for (const op of ops) {
      log(`${leads.toLocaleString("en")} leads: ${op}`);
      const input: StepInput = { persistDir: work, op, leads, port, seededAt: info.at, perPhase: options.perPhase ?? 40 };
      const run = await runProcess(["--max-old-space-size=128", "--expose-gc", scripts.step, JSON.stringify(input)], options.stepTimeoutS ?? 600);
      const line = /^STEP (.+)$/m.exec(run.stdout)?.[1];
      if (line) steps.push(JSON.parse(line) as StepOutput);
      else if (run.timedOut) steps.push(failedStep(op, `no answer within ${options.stepTimeoutS ?? 600} s`));
      else if (/heap limit|heap out of memory/i.test(run.stderr)) steps.push(failedStep(op, "out of memory (128 MB heap)"));
      else steps.push(failedStep(op, `crashed: ${run.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 300)}`));
    }
    rmSync(work, { recursive: true, force: true });
    results.push({
      leads: info.leads,
      visitors: info.visitors,
      events: info.events,
      seedSeconds: info.seconds,
      bytesPerEvent: Math.round(stats.fileBytes / info.events),
      tableBytesPerEvent: Object.fromEntries(Object.entries(stats.tableBytes).map(([t, b]) => [t, Math.round(b / info.events)])),
      fileBytes: stats.fileBytes,
      steps,
    });
  }
  return results;
}
