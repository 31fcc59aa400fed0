// The demo website end to end: a visitor browses it in Chromium over three visits, and their score rises
// through the API exactly as the demo rules (tracker/demo/demo-rules.json) say: 1 per page view, 10 once
// for pricing, 5 per video play, 5 more per contact-page view, 20 for a demo request, 10 for the brochure,
// 10 once on the third visit, prospect at 50. And one thorough first visit is enough to become a prospect.
import type { Page } from "playwright-core";
import { afterAll, expect, inject, it } from "vitest";
import { DEMO_SITE_ID } from "../../tracker/demo/local-stack.ts";
import { api, chromiumOnDemand, openSession, storedVisitorId } from "./support.ts";

const { collector, demo, token } = inject("stack");
const { expectVisitor, visitor } = api(collector, token);

const MINUTE = 60_000;
const chromium = chromiumOnDemand();

afterAll(() => chromium.close());

/** Follows a link of the demo's navigation bar, or any link, by its text. */
async function follow(page: Page, text: string): Promise<void> {
  await page.getByRole("link", { name: text, exact: true }).first().click();
  await page.waitForLoadState("load");
}

const playVideo = (page: Page) => page.locator("video").evaluate((v: HTMLVideoElement) => v.play());

it("scores a visitor browsing the demo website over three visits, up to prospect", async () => {
  // Visits one and two happen while the collector cannot be reached (the visitor is offline), forty minutes
  // apart by the page's clock: the tracker keeps their events and sends them with visit three, each with its
  // own time, so the collector sees three visits (its visit timeout is 30 minutes).
  const session = await openSession(await chromium.browser(), collector, {
    expectedError: (text, url) => url === `${collector}/e` && text.startsWith("Failed to load resource"),
  });
  const { page, context, errors } = session;
  const start = Date.now();
  await context.clock.install({ time: start });
  await context.route(`${collector}/e`, (route) => route.abort("internetdisconnected"));

  // Visit 1: home, pricing, the product tour and its video (1 + 1 + 10 + 1 + 5).
  await page.goto(`${demo}/`);
  await follow(page, "Pricing");
  await follow(page, "Product tour");
  await playVideo(page);
  // Visit 2: home and the contact page (1 + 1 + 5).
  await context.clock.setSystemTime(start + 40 * MINUTE);
  await page.goto(`${demo}/`);
  await follow(page, "Contact");
  const vid = (await storedVisitorId(page)) as string;
  expect(await visitor(DEMO_SITE_ID, vid)).toBeNull();

  // Visit 3, online: the first page view brings visits one and two along, and the third-visit bonus.
  await context.clock.setSystemTime(start + 80 * MINUTE);
  await context.unrouteAll();
  await page.goto(`${demo}/`);
  let expected = 18 + 7 + 1 + 10;
  await expectVisitor(DEMO_SITE_ID, vid, { score: expected, visits: 3, prospect: false });

  const steps: [string, (p: Page) => Promise<void>, number][] = [
    ["product tour", (p) => follow(p, "Product tour"), 1],
    ["video play", playVideo, 5],
    ["contact page", (p) => follow(p, "Contact"), 6],
    ["pricing page", (p) => follow(p, "Pricing"), 1],
    ["yearly prices (a single-page-app navigation)", (p) => p.getByRole("link", { name: "Yearly" }).click(), 1],
    ["contact page again", (p) => follow(p, "Contact"), 6],
    ["contact page reloaded", async (p) => void (await p.reload()), 6],
    ["home", (p) => follow(p, "Home"), 1],
    ["contact page once more", (p) => follow(p, "Contact"), 6],
  ];
  for (const [step, act, points] of steps) {
    await act(page);
    expected += points;
    await expectVisitor(DEMO_SITE_ID, vid, { score: expected, prospect: expected >= 50 }).catch((err: Error) => {
      throw new Error(`after the ${step}: ${err.message}`);
    });
  }
  expect(expected).toBe(69);

  // The contact form says who the visitor is (identify) and records a custom event (track).
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Work email").fill("ada@acme.example");
  await page.getByLabel("Company").fill("Acme");
  await page.getByRole("button", { name: "Request a demo" }).click();
  const v = await expectVisitor(DEMO_SITE_ID, vid, { identity: { email: "ada@acme.example", traits: { name: "Ada Lovelace", company: "Acme" } } });
  expect(v).toMatchObject({ score: 89, prospect: true, visits: 3 });
  expect(v.recentEvents.map((e) => e.type)).toEqual(expect.arrayContaining(["demo_request", "identify"]));
  expect(Object.fromEntries(v.breakdown.map((b) => [b.rule, [b.fired, b.points]]))).toEqual({
    "page-view": [14, 14],
    pricing: [1, 10],
    "video-play": [2, 10],
    "contact-page": [5, 25],
    "demo-request": [1, 20],
    "third-visit": [1, 10],
  });

  // Home again, and the brochure download, worth 10 once.
  await follow(page, "Home");
  await page.getByRole("link", { name: "Download the brochure (PDF)" }).click();
  await page.waitForURL("**/acme-brochure.pdf");
  await expect
    .poll(async () => (await visitor(DEMO_SITE_ID, vid))?.recentEvents.find((e) => e.type === "download")?.props)
    .toEqual({ file: `${demo}/acme-brochure.pdf` });
  expect((await visitor(DEMO_SITE_ID, vid))?.score).toBe(89 + 1 + 10);

  // And the demo's own score page shows it.
  await page.goto(`${demo}/score`);
  await expect.poll(() => page.locator("#score").textContent()).toContain("(prospect)");
  expect(await page.locator("#who").textContent()).toContain(vid);

  await session.close();
  expect(errors, "console and page errors").toEqual([]);
});

it("makes a prospect of one thorough first visit, and the demo website receives the signed webhook", async () => {
  const session = await openSession(await chromium.browser(), collector);
  const { page, errors } = session;
  await page.goto(`${demo}/`);
  await follow(page, "Pricing");
  await follow(page, "Product tour");
  await playVideo(page);
  await follow(page, "Contact");
  const vid = (await storedVisitorId(page)) as string;
  await page.getByLabel("Name").fill("Grace Hopper");
  await page.getByLabel("Work email").fill("grace@navy.example");
  await page.getByLabel("Company").fill("Navy");
  await page.getByRole("button", { name: "Request a demo" }).click();
  await follow(page, "Home");
  await page.getByRole("link", { name: "Download the brochure (PDF)" }).click();
  await page.waitForURL("**/acme-brochure.pdf");
  // home 1, pricing 1 + 10, tour 1, video 5, contact 1 + 5, demo request 20, brochure 10, home again 1.
  await expectVisitor(DEMO_SITE_ID, vid, { score: 55, prospect: true, visits: 1 });
  await page.goto(`${demo}/webhooks`);
  await expect.poll(async () => (await page.locator("tr", { hasText: "grace@navy.example" }).allInnerTexts()).join("")).toMatch(/grace@navy\.example\s+5\d.*valid/);
  await session.close();
  expect(errors, "console and page errors").toEqual([]);
});
