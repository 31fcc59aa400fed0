import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { defaultRules } from "../../worker/scoring/default-rules";
import { createSite, event, track } from "../support/api";
import { pageViewCost } from "../support/page-view-cost";
import { seedHistory } from "../support/seed";

const settings = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };

// The budget, indexes included: the event row, the visitor row and its score-index entry; a visitor's first
// page view also writes its entry in visitors_by_retention (which the retention purge walks).
const MAX_ROWS_WRITTEN = 3;
const MAX_ROWS_WRITTEN_NEW = 4;

it("writes at most 3 rows per page view (indexes included; 4 for a visitor's first), for a new and a known visitor", async () => {
  await createSite("acme");
  const first = await pageViewCost("acme", "visitor-new1", "event-0001");
  const second = await pageViewCost("acme", "visitor-new1", "event-0002");
  const warm = await pageViewCost("acme", "visitor-new1", "event-0003", true);
  expect(first.written).toBeLessThanOrEqual(MAX_ROWS_WRITTEN_NEW);
  expect(second.written).toBeLessThanOrEqual(MAX_ROWS_WRITTEN);
  expect(warm.written).toBeLessThanOrEqual(MAX_ROWS_WRITTEN);
  // From what the isolate last wrote: one batch, reading no more than the guard's few rows.
  expect(warm.read).toBeLessThan(second.read);
});

it("writes no more rows per page view for a lead with an account (its account index entry is left alone)", async () => {
  await createSite("acme");
  await pageViewCost("acme", "visitor-anon1", "event-0001");
  await track("acme", "visitor-acct1", event("pageview"), event("identify", "/", 0, { d: { email: "ana@initech.example", company: "Initech" } }));
  const account = await env.DB.prepare("SELECT account FROM visitors WHERE id = 'visitor-acct1'").first<{ account: string }>();
  expect(account?.account).toBe("initech");
  const anonymous = await pageViewCost("acme", "visitor-anon1", "event-0002");
  const withAccount = await pageViewCost("acme", "visitor-acct1", "event-0003");
  expect(withAccount.written).toBe(anonymous.written);
  expect(withAccount.written).toBeLessThanOrEqual(MAX_ROWS_WRITTEN);
});

it("reads the same rows per page view with 10 or 9,999 prior events (one short of the limit a lead keeps)", async () => {
  await createSite("acme");
  await seedHistory("acme", "visitor-small", 10, defaultRules, settings);
  await seedHistory("acme", "visitor-large", 9_999, defaultRules, settings);
  const count = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE visitor_id = 'visitor-large'").first<{ n: number }>();
  expect(count?.n).toBe(9_999);

  const small = await pageViewCost("acme", "visitor-small", "event-0003");
  const large = await pageViewCost("acme", "visitor-large", "event-0004");
  expect(large.read).toBe(small.read);
  expect(large.written).toBe(small.written);
  expect(large.written).toBeLessThanOrEqual(MAX_ROWS_WRITTEN);
});

it("keeps events and visitors as WITHOUT ROWID tables, which the write budget depends on", async () => {
  const { results } = await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'visitors')").all<{ name: string; sql: string }>();
  expect(results).toHaveLength(2);
  for (const t of results) expect(t.sql).toMatch(/WITHOUT ROWID\s*$/);
});
