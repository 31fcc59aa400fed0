// Turns each benchmark's figures into the Markdown table README.md shows, and writes them there.
import { readFileSync, writeFileSync } from "node:fs";
import { renderScale, type ScaleBench } from "./scale/render.ts";
type Rows = { figures: Record<string, { read: number; written: number; statements: number }> };
type Engine = { rules: number; events: number; replayPerSecond: number; applyPerSecond: number; node: string };

type Training = { features: number; node: string; sizes: { leads: number; ms: number; iterations: number; matrixBytes: number; auc: number }[] };

type Side = { rps: number; p50: number; p99: number; requests: number; cpuMs?: number | null; threadMs?: number | null };
type Load = {
  connections: number;
  collect: Side;
  bare: Side;
  floor: Side;
  ratio: number;
  floorRatio: number;
  acceptedUnique: number;
  storedEvents: number;
  lost: number;
  duplicated: number;
  answers: Record<string, number>;
  dump: { bytes: number; ip: number; userAgent: number };
};

const n = (x: number) => x.toLocaleString("en");

export const renderers: Record<string, (result: never) => string> = {
  scale: (r: ScaleBench) => renderScale(r),
  "rows-per-event": (r: Rows) =>
    [
      "| visitor's history | D1 rows read | D1 rows written | statements |",
      "| --- | ---: | ---: | ---: |",
      ...Object.entries(r.figures).map(([k, f]) => `| ${k} | ${f.read} | ${f.written} | ${f.statements} |`),
    ].join("\n"),
  "engine-throughput": (r: Engine) =>
    [
      `| ${r.rules} rules, Node ${r.node} | events per CPU-second (one core) |`,
      "| --- | ---: |",
      `| replay (rescoring, ${n(r.events)} events over 1,000 visitors) | ${n(r.replayPerSecond)} |`,
      `| apply (the write path: one event onto a copy of the stored state) | ${n(r.applyPerSecond)} |`,
    ].join("\n"),
  training: (r: Training) =>
    [
      `| leads with an outcome (${r.features} rule features), Node ${r.node} | CPU time to fit (one core) | Newton steps | feature matrix | training AUC |`,
      "| ---: | ---: | ---: | ---: | ---: |",
      ...r.sizes.map((s) => `| ${n(s.leads)} | ${n(s.ms)} ms | ${s.iterations} | ${n(Math.round(s.matrixBytes / 1024 / 1024))} MB | ${s.auc} |`),
    ].join("\n"),
  load: (r: Load) => {
    const ms = (x: number | null | undefined) => (x == null ? "n/a" : `${x.toFixed(2)} ms`);
    const cpuRatio =
      r.collect.cpuMs && r.floor.cpuMs
        ? ` In server CPU per request (wrangler, workerd and its D1 and rate-limit objects: a figure other work on the machine does not shrink as it does requests per second), a beacon takes ${(r.collect.cpuMs / r.floor.cpuMs).toFixed(2)}× the floor's.`
        : "";
    const threadRatio =
      r.collect.threadMs && r.floor.threadMs
        ? ` On workerd's runtime thread, the one the isolate, D1 and the rate limiters share, a beacon takes ${(r.collect.threadMs / r.floor.threadMs).toFixed(2)}× the floor's.`
        : "";
    const row = (what: string, side: Side) => `| ${what} | ${n(side.requests)} | ${n(side.rps)} | ${side.p50} ms | ${side.p99} ms | ${ms(side.cpuMs)} | ${ms(side.threadMs)} |`;
    return [
      `| endpoint (${r.connections} connections, \`wrangler dev\` on 127.0.0.1) | requests | requests/s | p50 latency | p99 latency | server CPU per request | runtime thread per request |`,
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      row("`POST /e`, one page view per beacon (1 in 21 a retry)", r.collect),
      row("one-INSERT floor worker (same beacon body, one row into D1)", r.floor),
      row("`GET /healthz` (same worker, no D1)", r.bare),
      "",
      `Beacon throughput is ${r.floorRatio.toFixed(2)}× the one-INSERT floor's (target: at least 0.7×) and ${r.ratio.toFixed(2)}× the bare endpoint's.${cpuRatio}${threadRatio} Answers: ${Object.entries(r.answers)
        .map(([k, v]) => `${n(v)} × ${k}`)
        .join(", ")}. Accepted event ids: ${n(r.acceptedUnique)}; events stored: ${n(r.storedEvents)}; lost: ${r.lost}; ` +
        `counted twice: ${r.duplicated}. Database dump after the run (${n(r.dump.bytes)} bytes): ${r.dump.ip} IP addresses, ` +
        `${r.dump.userAgent} user-agent strings.`,
    ].join("\n");
  },
};

/** Writes each result's table into README.md between its <!-- bench:NAME --> markers; answers how many it wrote. */
export function recordInReadme(results: { bench: string }[]): number {
  let readme = readFileSync("README.md", "utf8");
  let written = 0;
  for (const result of results) {
    const render = renderers[result.bench];
    if (!render) {
      // Figures quoted in prose (forge-cost, in the threat model) have no table: printed, not written.
      console.log(`\n${result.bench}\n${JSON.stringify(result)}`);
      continue;
    }
    const table = render(result as never);
    console.log(`\n${result.bench}\n${table}`);
    const block = new RegExp(`(<!-- bench:${result.bench} -->\\n)[\\s\\S]*?(<!-- /bench:${result.bench} -->)`);
    if (!block.test(readme)) {
      // A new benchmark's figures are printed above; README.md gets them once it has the block.
      console.warn(`README.md has no <!-- bench:${result.bench} --> block; add one to record these figures`);
      continue;
    }
    readme = readme.replace(block, (_, open: string, close: string) => `${open}${table}\n${close}`);
    written += 1;
  }
  writeFileSync("README.md", readme);
  return written;
}
