// The tracker's weight budget (SPEC, "Performance and reliability budgets"), shared by the build and the tests.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Where the build writes the tracker (served by the worker as a static asset). */
export const TRACKER_FILE = "dist/assets/s.js";

/** Most bytes s.js may weigh once compressed, as a site would load it. */
export const BUDGET = { gzip: 1200, brotli: 1024 } as const;

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/** Raw, gzip -9 and brotli (quality 11) sizes of the built script. */
export function measure(code: Uint8Array): Sizes {
  return {
    raw: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** One line per budget the sizes break; none when the script fits. */
export function overBudget(sizes: Sizes): string[] {
  return (Object.keys(BUDGET) as (keyof typeof BUDGET)[])
    .filter((k) => sizes[k] > BUDGET[k])
    .map((k) => `${k}: ${sizes[k]} B is over the ${BUDGET[k]} B budget`);
}
