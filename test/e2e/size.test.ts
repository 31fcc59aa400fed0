// The tracker's weight budget, checked on the script the build wrote (npm test builds it first, and so does the
// end-to-end stack).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUDGET, measure, overBudget, TRACKER_FILE } from "../../tracker/budget.ts";

describe("the tracker's weight", () => {
  it("fits the budget: at most 1,200 B gzip -9 and 1,024 B brotli", () => {
    const sizes = measure(readFileSync(TRACKER_FILE));
    console.log(`${TRACKER_FILE}: ${sizes.raw} B raw, ${sizes.gzip} B gzip -9, ${sizes.brotli} B brotli`);
    expect(BUDGET).toEqual({ gzip: 1200, brotli: 1024 });
    expect(overBudget(sizes)).toEqual([]);
  });

  it.each([
    [{ raw: 4000, gzip: 1200, brotli: 1024 }, []],
    [{ raw: 4000, gzip: 1201, brotli: 1024 }, ["gzip: 1201 B is over the 1200 B budget"]],
    [{ raw: 4000, gzip: 1300, brotli: 1025 }, ["gzip: 1300 B is over the 1200 B budget", "brotli: 1025 B is over the 1024 B budget"]],
  ])("names every budget that %o breaks", (sizes, expected) => {
    expect(overBudget(sizes)).toEqual(expected);
  });
});
