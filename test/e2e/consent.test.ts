// Consent mode (data-consent="required") and leadscore('consent', ...), in Chromium.
import { expect, inject, it } from "vitest";
import { E2E_SITE } from "./stack.ts";
import { api, browserSessions, storedKeys } from "./support.ts";

const { collector, demo, token } = inject("stack");
const { expectEvents } = api(collector, token);

const openTracked = browserSessions();

const path = (url: string) => new URL(url).pathname;

it("stores and sends nothing before consent, then sends the page views held so far, and remembers the consent", async () => {
  const session = await openTracked(collector);
  const { page, beacons } = session;
  await page.goto(`${demo}/fixtures/consent`);
  await page.click("#go");
  expect(await storedKeys(page)).toEqual({});
  const consentAt = await page.evaluate(() => Date.now());
  await page.click("#accept");

  await expect.poll(() => beacons.length).toBe(1);
  const [beacon] = beacons as [(typeof beacons)[number]];
  // Sent once consent was given, carrying the events as they happened before it.
  expect(beacon.t).toBeGreaterThanOrEqual(consentAt);
  expect(beacon.e.map((e) => `${e.n} ${path(e.u)}`)).toEqual(["pageview /fixtures/consent", "pageview /fixtures/consent/next"]);
  expect(beacon.e.every((e) => e.t <= consentAt)).toBe(true);
  expect(await storedKeys(page)).toMatchObject({ leadscore_vid: beacon.v, leadscore_consent: "1" });
  await expectEvents(E2E_SITE, beacon.v, ["pageview /fixtures/consent", "pageview /fixtures/consent/next"]);

  await page.goto(`${demo}/fixtures/consent?again=1`);
  await expectEvents(E2E_SITE, beacon.v, ["pageview /fixtures/consent", "pageview /fixtures/consent/next", "pageview /fixtures/consent"]);
  expect(beacons.map((b) => b.v)).toEqual([beacon.v, beacon.v]);
});

it("consent(false) clears the visitor id and stops sending, on later pages too, until consent is given again", async () => {
  const session = await openTracked(collector);
  const { page, beacons } = session;
  await page.goto(`${demo}/fixtures/consent`);
  await page.click("#accept");
  await expect.poll(() => beacons.length).toBe(1);
  const first = beacons[0]!.v;
  await expectEvents(E2E_SITE, first, ["pageview /fixtures/consent"]);

  await page.click("#refuse");
  expect(await storedKeys(page)).toEqual({ leadscore_consent: "-1" });
  await page.click("#go");
  await page.click("#track");
  await page.goto(`${demo}/fixtures/consent?after=refusal`);
  await page.click("#track");
  expect(await storedKeys(page)).toEqual({ leadscore_consent: "-1" });

  // Consent again: a new visitor, and only what happens from now on.
  await page.click("#accept");
  await page.click("#track");
  await expect.poll(() => beacons.length).toBe(2);
  const second = beacons[1]!;
  expect(second.v).not.toBe(first);
  expect(second.e.map((e) => `${e.n} ${e.c}`)).toEqual(["track cta_click"]);
  await expectEvents(E2E_SITE, second.v, ["cta_click /fixtures/consent"]);
  await expectEvents(E2E_SITE, first, ["pageview /fixtures/consent"]);
});

it("honours an opt-out on a site that does not require consent, on later pages too", async () => {
  const session = await openTracked(collector);
  const { page, beacons } = session;
  await page.goto(`${demo}/fixtures/page`);
  await expect.poll(() => beacons.length).toBe(1);
  const first = beacons[0]!.v;
  await page.evaluate(() => (window as unknown as { leadscore(...a: unknown[]): void }).leadscore("consent", false));
  await page.click("#next");
  await page.waitForURL("**/fixtures/page?from=next");
  expect(await storedKeys(page)).toEqual({ leadscore_consent: "-1" });
  await page.evaluate(() => {
    const { leadscore } = window as unknown as { leadscore(...a: unknown[]): void };
    leadscore("consent", true);
    leadscore("track", "checkpoint");
  });
  await expect.poll(() => beacons.length).toBe(2);
  expect(beacons[1]!.e.map((e) => e.c)).toEqual(["checkpoint"]);
  await expectEvents(E2E_SITE, first, ["pageview /fixtures/page"]);
});
