// npm run bench: runs every benchmark, prints the figures, and writes them into README.md between
// the <!-- bench:NAME --> markers, so the README always shows the last measured numbers.
// The D1 benchmarks run inside workerd under vitest; the load benchmark (load.ts) drives the worker
// under `wrangler dev` over HTTP, so it runs as its own process.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { renderers } from "./report.ts";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };
const runs = [
  spawnSync("vitest", ["run", "--config", "test/bench/vitest.config.ts"], { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 }),
  spawnSync(process.execPath, ["test/bench/load.ts"], { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 }),
];
for (const run of runs) {
  if (run.status !== 0) {
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
    process.exit(run.status ?? 1);
  }
}

const results = runs.flatMap((run) => [...run.stdout.matchAll(/BENCH (\{.+\})$/gm)].map((m) => JSON.parse(m[1] as string) as { bench: string }));
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
