// Delivery: what happens to events when the collector is down, answers 5xx or 4xx, or answers too late.
// This file runs a stack of its own (E2E_PORT + 3 and + 4), since it stops its collector.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { E2E_SITE, startE2eStack, type E2eStack } from "./stack.ts";
import { api, browserSessions, storedKeys, storedVisitorId, type Session } from "./support.ts";

const port = Number(process.env.E2E_PORT ?? 8790) + 3;
let stack: E2eStack;
const openTracked = browserSessions();
let A: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startE2eStack(port, port + 1);
  A = api(stack.collector, stack.token);
});
afterAll(async () => {
  await stack?.close();
});

/** The browser's own log lines for beacons this file makes fail on purpose; any other error still fails a test. */
const beaconFailure = (text: string, url: string) => url === `${stack.collector}/e` && text.startsWith("Failed to load resource");

async function open(path: string): Promise<{ page: Page; vid: string; s: Session }> {
  const s = await openTracked(stack.collector, { expectedError: beaconFailure });
  await s.page.goto(`${stack.demo}${path}`);
  const vid = await storedVisitorId(s.page);
  if (!vid) throw new Error("the tracker stored no visitor id");
  return { page: s.page, vid, s };
}

/** Ids in the tracker's outbox (events not yet confirmed by the collector). */
const outbox = async (page: Page) => (JSON.parse((await storedKeys(page)).leadscore_q ?? "[]") as { i: string }[]).map((e) => e.i);

/** Counts failed requests to the collector's /e. */
function failures(s: Session): () => number {
  let n = 0;
  s.context.on("requestfailed", (req) => {
    if (req.url() === `${stack.collector}/e`) n += 1;
  });
  return () => n;
}

it("keeps what it could not send while the collector is down, and delivers it exactly once when it is back", async () => {
  const { page, vid, s } = await open("/fixtures/page");
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page"]);
  const failed = failures(s);

  await stack.stopCollector();
  try {
    await page.evaluate(() => history.pushState({}, "", "/fixtures/page/offline"));
    await page.evaluate(() => (window as unknown as { leadscore(...a: unknown[]): void }).leadscore("track", "signup", { plan: "team" }));
    await expect.poll(failed).toBe(2);
  } finally {
    await stack.startCollector();
  }
  const kept = await outbox(page);
  expect(kept).toHaveLength(2);

  await page.goto(`${stack.demo}/fixtures/page?back=1`);
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "pageview /fixtures/page/offline", "signup /fixtures/page/offline", "pageview /fixtures/page"]);
  await A.expectVisitor(E2E_SITE, vid, { score: 33 });
  // The same ids as first tried, sent in one beacon with the new page view; then the outbox is empty.
  const resent = s.beacons.at(-1)!;
  expect(resent.e.map((e) => e.i)).toEqual([...kept, expect.any(String)]);
  await expect.poll(() => outbox(page)).toEqual([]);

  await page.goto(`${stack.demo}/fixtures/page?later=1`);
  await expect.poll(() => s.beacons.at(-1)?.e.map((e) => e.u)).toEqual([`${stack.demo}/fixtures/page?later=1`]);
});

it("keeps events answered 5xx for the next page, and drops events answered 4xx", async () => {
  const session = await openTracked(stack.collector, { expectedError: beaconFailure });
  const { page, context, beacons } = session;
  const answerWith = (status: number) =>
    context.route(`${stack.collector}/e`, (route) =>
      route.fulfill({ status, contentType: "application/json", headers: { "access-control-allow-origin": "*" }, body: '{"error":{"code":"x","message":"x"}}' }),
    );

  await answerWith(503);
  await page.goto(`${stack.demo}/fixtures/page?try=503`);
  await expect.poll(() => outbox(page)).toHaveLength(1);
  const kept = await outbox(page);

  await context.unrouteAll();
  await answerWith(400);
  await page.goto(`${stack.demo}/fixtures/page?try=400`);
  // Two events refused together are tried one by one, each refused again and dropped.
  await expect.poll(() => beacons.length).toBe(4);
  expect(beacons.slice(1).map((b) => b.e.length)).toEqual([2, 1, 1]);
  await expect.poll(() => outbox(page)).toEqual([]);

  await context.unrouteAll();
  await page.goto(`${stack.demo}/fixtures/page?try=202`);
  const vid = (await storedVisitorId(page)) as string;
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page"]);
  expect(beacons.at(-1)!.e.map((e) => e.i)).not.toContain(kept[0]);
});

it("keeps events answered 429 and sends them again once Retry-After has passed, counted once", async () => {
  const session = await openTracked(stack.collector, { expectedError: beaconFailure });
  const { page, context, beacons } = session;
  // The page's clock is the test's: a minute passes when the test says so.
  await page.clock.install();
  let answered = 0;
  await context.route(`${stack.collector}/e`, (route) =>
    answered++ === 0
      ? route.fulfill({
          status: 429,
          contentType: "application/json",
          headers: { "access-control-allow-origin": "*", "access-control-expose-headers": "Retry-After", "retry-after": "10" },
          body: '{"error":{"code":"rate_limited","message":"x"}}',
        })
      : route.continue(),
  );
  await page.goto(`${stack.demo}/fixtures/page?try=429`);
  await expect.poll(() => answered).toBe(1);
  await expect.poll(() => outbox(page)).toHaveLength(1);
  const kept = await outbox(page);

  await page.clock.fastForward(5_000);
  expect(beacons).toHaveLength(1);
  await page.clock.fastForward(60_000);
  const vid = (await storedVisitorId(page)) as string;
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page"]);
  await expect.poll(() => outbox(page)).toEqual([]);
  expect(beacons.map((b) => b.e.map((e) => e.i))).toEqual([kept, kept]);
});

it("resends an event whose answer never came, with the same id, and the collector counts it once", async () => {
  const session = await openTracked(stack.collector, { expectedError: beaconFailure });
  const { page, context, beacons } = session;
  // The collector gets the beacon, but its answer is lost on the way back (as with a page closed first).
  await context.route(`${stack.collector}/e`, async (route) => {
    await route.fetch();
    await route.abort("connectionreset");
  });
  await page.goto(`${stack.demo}/fixtures/page?answer=lost`);
  const vid = (await storedVisitorId(page)) as string;
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page"]);
  await expect.poll(() => outbox(page)).toHaveLength(1);
  const [lost] = await outbox(page);

  await context.unrouteAll();
  await page.goto(`${stack.demo}/fixtures/page?answer=back`);
  await expect.poll(() => outbox(page)).toEqual([]);
  expect(beacons.at(-1)!.e.map((e) => e.i)).toEqual([lost, expect.any(String)]);
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "pageview /fixtures/page"]);
  await A.expectVisitor(E2E_SITE, vid, { score: 2 });
});

it("sends by sendBeacon from a hidden page, and confirms those events with the next page load", async () => {
  const session = await openTracked(stack.collector);
  const { page, context, beacons } = session;
  const kinds: string[] = [];
  context.on("request", (req) => {
    if (req.url() === `${stack.collector}/e`) kinds.push(req.resourceType());
  });
  // The page reports itself hidden (as when its tab is in the background or being left) on demand.
  await page.addInitScript(() =>
    Object.defineProperty(Document.prototype, "hidden", { get: () => (window as unknown as { hide?: boolean }).hide === true }),
  );
  await page.goto(`${stack.demo}/fixtures/page?beacon=1`);
  const vid = (await storedVisitorId(page)) as string;
  await expect.poll(() => outbox(page)).toEqual([]);

  await page.evaluate(() => {
    (window as unknown as { hide: boolean }).hide = true;
    (window as unknown as { leadscore(...a: unknown[]): void }).leadscore("track", "signup");
  });
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "signup /fixtures/page"]);
  expect(kinds).toEqual(["fetch", "ping"]);
  // No answer to read: the event stays in the outbox, and the next page load sends it again, counted once.
  const [beaconed] = await outbox(page);
  expect(beaconed).toBe(beacons[1]!.e[0]!.i);

  await page.goto(`${stack.demo}/fixtures/page?beacon=2`);
  await expect.poll(() => outbox(page)).toEqual([]);
  expect(beacons.at(-1)!.e.map((e) => e.i)).toEqual([beaconed, expect.any(String)]);
  await A.expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "signup /fixtures/page", "pageview /fixtures/page"]);
  await A.expectVisitor(E2E_SITE, vid, { score: 32 });
});
