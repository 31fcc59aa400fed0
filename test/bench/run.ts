// npm run bench: runs every benchmark, prints the figures, and writes them into README.md between
// the <!-- bench:NAME --> markers, so the README always shows the last measured numbers.
// The D1 benchmarks run inside workerd under vitest; the load benchmark (load.ts) drives the worker
// under `wrangler dev` over HTTP, so it runs as its own process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { renderers } from "./report.ts";

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
output += run(process.execPath, ["test/bench/load.ts"]);

const results = [...output.matchAll(/BENCH (\{.+\})$/gm)].map((m) => JSON.parse(m[1] as string) as { bench: string });
let readme = readFileSync("README.md", "utf8");
let written = 0;
for (const result of results) {
  const render = renderers[result.bench];
  if (!render) throw new Error(`no renderer for benchmark ${result.bench}`);
  const table = render(result);
  console.log(`\n${result.bench}\n${table}`);
  const block = new RegExp(`(<!-- bench:${result.bench} -->\\n)[\\s\\S]*?(<!-- /bench:${result.bench} -->)`);
  if (!block.test(readme)) {
    // A new benchmark's figures are printed above; README.md gets them once it has the block.
    console.warn(`README.md has no <!-- bench:${result.bench} --> block; add one to record these figures`);
    continue;
  }
  readme = readme.replace(block, `$1${table}\n$2`);
  written += 1;
}
writeFileSync("README.md", readme);
console.log(`\nREADME.md updated with ${written} of ${results.length} benchmark(s).`);
