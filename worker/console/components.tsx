import type { Child } from "hono/jsx";

/** What a chart draws: labels on one axis and one or more series of numbers. */
export interface ChartSpec {
  type: "bar" | "line" | "doughnut" | "hbar";
  labels: string[];
  /** A series on the right-hand axis has its own scale (small counts beside large ones). */
  series: { label: string; data: (number | null)[]; axis?: "right" }[];
  /** Draw the line as steps (a score moves at events, not between them). */
  stepped?: boolean;
}

/**
 * A chart drawn by the console's script (Chart.js) from the data in its attribute, with the same figures
 * as a table for screen readers and for browsers without script.
 */
export function Chart({ id, title, spec, unit }: { id: string; title: string; spec: ChartSpec; unit?: string }) {
  const empty = spec.labels.length === 0;
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {empty ? (
        <p class="empty">Nothing to chart yet.</p>
      ) : (
        <>
          <div class={`canvas-box canvas-${spec.type}`}>
            <canvas id={id} role="img" aria-label={`${title} (chart; the figures are in the table below)`} data-chart={JSON.stringify(spec)}></canvas>
          </div>
          <details>
            <summary>Figures</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">{unit ?? ""}</th>
                  {spec.series.map((s) => (
                    <th scope="col">{s.label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {spec.labels.map((label, i) => (
                  <tr>
                    <th scope="row">{label}</th>
                    {spec.series.map((s) => (
                      <td class="num">{s.data[i] ?? "–"}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

/** The hidden anti-CSRF field every console form carries. */
export function Csrf({ value }: { value: string }) {
  return <input type="hidden" name="_csrf" value={value} />;
}

/** A short notice above a page's content: what just changed, or what went wrong. */
export function Notice({ kind, children }: { kind: "ok" | "error"; children?: Child }) {
  return (
    <p class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** A headline figure. */
export function Stat({ label, value }: { label: string; value: Child }) {
  return (
    <div class="stat">
      <span class="stat-value">{value}</span>
      <span class="stat-label">{label}</span>
    </div>
  );
}

/** A number as people read it (thousands separated, at most two decimals). */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** A time as "2026-11-23 09:14 UTC". */
export function when(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return "–";
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A time element with a readable label and the exact moment for machines. */
export function Time({ at }: { at: string | number | null | undefined }) {
  if (at === null || at === undefined) return <span>–</span>;
  return <time datetime={new Date(at).toISOString()}>{when(at)}</time>;
}

/** Links between the pages of a long table: back to the first page, and on to the next; nothing when neither applies. */
export function Pager({ first, next }: { first?: string | undefined; next?: string | undefined }) {
  if (first === undefined && next === undefined) return null;
  return (
    <p>
      {first !== undefined && (
        <a class="button" href={first}>
          First page
        </a>
      )}{" "}
      {next !== undefined && (
        <a class="button" href={next} rel="next">
          Next page
        </a>
      )}
    </p>
  );
}

/** A table's box: it scrolls sideways on narrow screens, so it takes keyboard focus and has a name. */
export function TableWrap({ label, children }: { label: string; children?: Child }) {
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
