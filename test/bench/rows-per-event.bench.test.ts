// Rows D1 reads and writes to score one page view, by the size of the visitor's history.
// Run with `npm run bench`; the figures go into README.md.
import { expect, it } from "vitest";
import { defaultRules } from "../../worker/scoring/default-rules";
import { createSite } from "../support/api";
import { pageViewCost } from "../support/page-view-cost";
import { seedHistory } from "../support/seed";

const settings = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };

it("measures rows read and written per page view", async () => {
  await createSite("bench");
  const figures: Record<string, { read: number; written: number; statements: number }> = {};
  const fresh = await pageViewCost("bench", "visitor-fresh", "event-fresh");
  figures["new visitor"] = fresh;
  for (const prior of [10, 10_000]) {
    const id = `visitor-${prior}`;
    await seedHistory("bench", id, prior, defaultRules, settings);
    figures[`${prior.toLocaleString("en")} prior events`] = await pageViewCost("bench", id, `event-${prior}`);
  }
  // The isolate wrote this lead last: straight to the guarded write.
  figures["10,000 prior events, isolate knows the lead"] = await pageViewCost("bench", "visitor-10000", "event-warm", true);
  console.log(`BENCH ${JSON.stringify({ bench: "rows-per-event", figures })}`);
  expect(Object.keys(figures)).toHaveLength(4);
});
