// Turns each benchmark's figures into the Markdown table README.md shows.
type Rows = { figures: Record<string, { read: number; written: number; statements: number }> };
type Engine = { rules: number; events: number; replayPerSecond: number; applyPerSecond: number; node: string };

const thousands = (n: number) => n.toLocaleString("en");

export const renderers: Record<string, (result: never) => string> = {
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
      `| replay (rescoring, ${thousands(r.events)} events over 1,000 visitors) | ${thousands(r.replayPerSecond)} |`,
      `| apply (the write path: one event onto a copy of the stored state) | ${thousands(r.applyPerSecond)} |`,
    ].join("\n"),
};
