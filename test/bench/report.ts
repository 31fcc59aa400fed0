// Turns each benchmark's figures into the Markdown table README.md shows.
type Rows = { figures: Record<string, { read: number; written: number; statements: number }> };

export const renderers: Record<string, (result: never) => string> = {
  "rows-per-event": (r: Rows) =>
    [
      "| visitor's history | D1 rows read | D1 rows written | statements |",
      "| --- | ---: | ---: | ---: |",
      ...Object.entries(r.figures).map(([k, f]) => `| ${k} | ${f.read} | ${f.written} | ${f.statements} |`),
    ].join("\n"),
};
