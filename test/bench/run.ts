// npm run bench: runs every benchmark, prints the figures, and writes them into README.md between
// the <!-- bench:NAME --> markers, so the README always shows the last measured numbers.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { renderers } from "./report.ts";

const run = spawnSync("vitest", ["run", "--config", "test/bench/vitest.config.ts"], {
  encoding: "utf8",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  maxBuffer: 64 * 1024 * 1024,
});
if (run.status !== 0) {
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exit(run.status ?? 1);
}

const results = [...run.stdout.matchAll(/BENCH (\{.+\})$/gm)].map((m) => JSON.parse(m[1] as string) as { bench: string });
let readme = readFileSync("README.md", "utf8");
for (const result of results) {
  const render = renderers[result.bench];
  if (!render) throw new Error(`no renderer for benchmark ${result.bench}`);
  const table = render(result);
  console.log(`\n${result.bench}\n${table}`);
  const block = new RegExp(`(<!-- bench:${result.bench} -->\\n)[\\s\\S]*?(<!-- /bench:${result.bench} -->)`);
  if (!block.test(readme)) throw new Error(`README.md has no <!-- bench:${result.bench} --> block`);
  readme = readme.replace(block, `$1${table}\n$2`);
}
writeFileSync("README.md", readme);
console.log(`\nREADME.md updated with ${results.length} benchmark(s).`);
