// npm run bench: runs every benchmark, prints the figures, and writes them into README.md between
// the <!-- bench:NAME --> markers, so the README always shows the last measured numbers.
// The D1 benchmarks run inside workerd under vitest; the load benchmark (load.ts) drives the worker
// under `wrangler dev` over HTTP, so it runs as its own process.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { recordInReadme } from "./report.ts";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
}

// D1 benchmarks run inside workerd; pure computation runs in Node, bundled first; the load run drives a
// locally started collector.
let output = run("vitest", ["run", "--config", "test/bench/vitest.config.ts"]);
const engine = join(mkdtempSync(join(tmpdir(), "leadscore-bench-")), "engine.mjs");
await build({ entryPoints: ["test/bench/engine-throughput.ts"], outfile: engine, bundle: true, format: "esm", platform: "node", logLevel: "error" });
output += run(process.execPath, [engine]);
const training = join(mkdtempSync(join(tmpdir(), "leadscore-bench-")), "training.mjs");
await build({ entryPoints: ["test/bench/training.ts"], outfile: training, bundle: true, format: "esm", platform: "node", logLevel: "error" });
output += run(process.execPath, [training]);
// Whole-site operations at 10k, 100k and 1M leads, each in a 128 MB Node process (see scale/harness.ts);
// it exits non-zero when an operation breaks a Workers or D1 limit, which fails the bench.
output += run(process.execPath, ["test/bench/scale/main.ts", "--no-readme"]);
output += run(process.execPath, ["test/bench/load.ts"]);

const results = [...output.matchAll(/BENCH (\{.+\})$/gm)].map((m) => JSON.parse(m[1] as string) as { bench: string });
const written = recordInReadme(results);
console.log(`\nREADME.md updated with ${written} of ${results.length} benchmark(s).`);
