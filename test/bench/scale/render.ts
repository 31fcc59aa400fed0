// The scale bench's figures as the Markdown README.md shows.
import type { ScaleResult } from "./harness.ts";
import type { Summary } from "./step.ts";

/** What main.ts prints on its BENCH line. */
export interface ScaleBench {
  bench: "scale";
  node: string;
  /** The commit measured (uncommitted changes aside). */
  commit?: string;
  limits: Record<string, number>;
  scales: ScaleResult[];
  failures: number;
}

const n = (x: number) => Math.round(x).toLocaleString("en");
const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const mb = (x: number) => (Number.isNaN(x) ? "-" : `${Math.max(0, x).toFixed(1)} MB`);
const bytes = (x: number) => (x >= 1_000_000 ? `${(x / 1_000_000).toFixed(2)} MB` : x >= 1000 ? `${(x / 1000).toFixed(1)} kB` : `${x} B`);

function row(s: Summary): string {
  const many = s.count > 1;
  const worst = (x: string) => (many ? `≤ ${x}` : x);
  const wall = many ? `${ms(s.wallMs)} each, ${ms(s.totalWallMs)} in all` : ms(s.wallMs);
  const rows = (worstRows: number, total: number) => (many ? `≤ ${n(worstRows)} (${n(total)} in all)` : n(worstRows));
  const verdict = s.violations.length === 0 ? "yes" : `**no**: ${s.violations.join("; ")}`;
  return `| ${s.label} | ${n(s.count)} | ${wall} | ${worst(ms(s.cpuMs))} | ${worst(mb(s.heapMB))} | ${worst(n(s.calls))} / ${worst(n(s.queries))} | ${rows(s.rowsRead, s.totalRowsRead)} | ${rows(s.rowsWritten, s.totalRowsWritten)} | ${s.maxParams} | ${bytes(s.maxRowBytes)} | ${verdict} |`;
}

/** One table per scale, largest first. */
export function renderScale(r: ScaleBench): string {
  const out: string[] = [];
  for (const scale of [...r.scales].sort((a, b) => b.leads - a.leads)) {
    out.push(
      `**${n(scale.leads)} leads (${n(scale.visitors)} visitor ids), ${n(scale.events)} events**: database file ${bytes(scale.fileBytes)}, ` +
        `${n(scale.bytesPerEvent)} B per event (${Object.entries(scale.tableBytesPerEvent).map(([t, b]) => `${t} with its indexes ${n(b)} B`).join(", ")}); seeded in ${scale.seedSeconds} s.`,
      "",
      "| invocation | count | wall time | CPU (worst) | heap (worst) | D1 calls / queries | rows read | rows written | params (max) | largest row | within limits |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    );
    for (const step of scale.steps) for (const s of step.invocations) out.push(row(s));
    const notes = scale.steps.flatMap((s) => Object.entries(s.notes).map(([k, v]) => `${s.op}: ${k} ${v}`));
    if (notes.length) out.push("", `Notes: ${notes.join("; ")}.`);
    out.push("");
  }
  out.push(`${r.commit ? `Commit ${r.commit}, ` : ""}Node ${r.node}, heap capped at 128 MB; ${r.failures === 0 ? "every invocation kept inside the limits." : `${r.failures} invocation(s) broke a limit.`}`);
  return out.join("\n");
}
