// npm run bench:scale: seeds 10k, 100k and 1M leads (about 10 events each) and measures every whole-site
// operation against the Workers and D1 limits; exits 1 when any invocation breaks one. Prints a BENCH
// line (collected by run.ts) and, unless --no-readme, writes the table into README.md's bench:scale block.
// Options: --scales=10000,100000  --ops=cron,rescore  --port=8820 (and the next)  --no-readme
// LEADSCORE_BENCH_TRACE=1 prints every D1 statement; LEADSCORE_BENCH_CACHE moves the seeded databases.
import { execFileSync } from "node:child_process";
import { LIMITS } from "./limits.ts";
import { runScaleBench } from "./harness.ts";
import { renderScale, type ScaleBench } from "./render.ts";
import { recordInReadme } from "../report.ts";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const scales = (arg("scales") ?? "10000,100000,1000000").split(",").map(Number);
const ops = arg("ops")?.split(",");
const port = arg("port");

const started = Date.now();
const results = await runScaleBench({ scales, ...(ops ? { ops } : {}), ...(port ? { port: Number(port) } : {}) });
const failures = results.flatMap((r) => r.steps.flatMap((s) => s.invocations)).filter((i) => i.violations.length > 0).length;
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
const bench: ScaleBench = { bench: "scale", node: process.version, commit, limits: { ...LIMITS }, scales: results, failures };
console.log(`BENCH ${JSON.stringify(bench)}`);
console.error(`\n${renderScale(bench)}\n\nscale bench took ${Math.round((Date.now() - started) / 1000)} s`);
if (!process.argv.includes("--no-readme")) recordInReadme([bench]);
if (failures > 0) {
  console.error(`${failures} invocation(s) broke a Workers or D1 limit`);
  process.exitCode = 1;
}
