// The tracker in real Chromium against HTML fixtures, asserting on what reached the collector.
import { createHmac } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { E2E_SITE } from "./stack.ts";
import { api, browserSessions, storedVisitorId, type BeaconEvent, type Session } from "./support.ts";

const { collector, demo, token } = inject("stack");
const { expectEvents, expectVisitor, visitor } = api(collector, token);

const openTracked = browserSessions();

/** The browser's own log line for a beacon the collector refused as invalid (the tests that send one on purpose). */
const refusedBeacon = (text: string, url: string) => url === `${collector}/e` && text.includes("status of 400");

async function open(path: string, expectedError?: (text: string, url: string) => boolean): Promise<{ page: Page; vid: string; s: Session }> {
  const session = await openTracked(collector, { expectedError });
  await session.page.goto(`${demo}${path}`);
  const vid = await storedVisitorId(session.page);
  if (!vid) throw new Error("the tracker stored no visitor id");
  return { page: session.page, vid, s: session };
}

/**
 * Each event sent, once, in the order first sent. (A page left before the collector's answer came sends its
 * events again with the next page's; the collector counts each id once.)
 */
const sentEvents = (s: Session): BeaconEvent[] => [...new Map(s.beacons.flatMap((b) => b.e).map((e) => [e.i, e])).values()];

/** A custom event sent after the actions under test: once it is in, everything sent before it is too. */
const checkpoint = (page: Page) => page.evaluate(() => window.leadscore?.("track", "checkpoint"));

declare global {
  interface Window {
    leadscore?: (...args: unknown[]) => void;
  }
}

describe("page views", () => {
  it("sends one on load, under a visitor id kept across pages", async () => {
    const { page, vid, s } = await open("/fixtures/page");
    await page.click("#next");
    await page.waitForURL("**/fixtures/page?from=next");
    expect(await storedVisitorId(page)).toBe(vid);
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "pageview /fixtures/page"]);
    expect(new Set(s.beacons.map((b) => b.v))).toEqual(new Set([vid]));
    expect(sentEvents(s).map((e) => e.u)).toEqual([`${demo}/fixtures/page`, `${demo}/fixtures/page?from=next`]);
  });

  it("carries the referrer and UTM tags of the entry page, and no internal referrer after it", async () => {
    const session = await openTracked(collector);
    const { page } = session;
    await page.goto(`${demo}/fixtures/page?utm_source=newsletter&utm_medium=email&utm_campaign=spring`, { referer: "https://news.example/article" });
    const vid = (await storedVisitorId(page)) as string;
    await page.click("#next");
    await page.waitForURL("**/fixtures/page?from=next");
    await expectVisitor(E2E_SITE, vid, {
      source: { referrer: "https://news.example/article", utm_source: "newsletter", utm_medium: "email", utm_campaign: "spring" },
    });
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "pageview /fixtures/page"]);
    expect(sentEvents(session).map((e) => e.r)).toEqual(["https://news.example/article", undefined]);
  });

  it("follows single-page-app navigations, once per URL (fragments and same-URL replaceState are no new page)", async () => {
    const { page, vid, s } = await open("/fixtures/spa");
    for (const button of ["#push-a", "#push-b", "#replace-same", "#push-hash", "#back", "#back"]) await page.click(button);
    await page.waitForURL("**/fixtures/spa/a");
    await checkpoint(page);
    await expectEvents(E2E_SITE, vid, [
      "pageview /fixtures/spa",
      "pageview /fixtures/spa/a",
      "pageview /fixtures/spa/b",
      "pageview /fixtures/spa/a",
      "checkpoint /fixtures/spa/a",
    ]);
    const urls = s.beacons.flatMap((b) => b.e.filter((e) => e.n === "pageview").map((e) => e.u));
    expect(urls).toEqual([`${demo}/fixtures/spa`, `${demo}/fixtures/spa/a`, `${demo}/fixtures/spa/b?tab=2`, `${demo}/fixtures/spa/a`]);
  });

  it("counts a page view on a pricing path as pricing_view on the collector, from a plain page view", async () => {
    const { vid, s } = await open("/fixtures/pricing");
    const v = await expectVisitor(E2E_SITE, vid, { score: 21 });
    expect(v.breakdown).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: "page-view", fired: 1 }), expect.objectContaining({ rule: "pricing", points: 20, fired: 1 })]),
    );
    expect(s.beacons.flatMap((b) => b.e.map((e) => e.n))).toEqual(["pageview"]);
  });
});

describe("video plays", () => {
  it("sends the first play of each <video> with its source and title, not replays or audio", async () => {
    const { page, vid } = await open("/fixtures/video");
    const play = (id: string) => page.locator(id).evaluate((media: HTMLMediaElement) => media.play());
    await play("#tour");
    await page.locator("#tour").evaluate((v: HTMLVideoElement) => v.pause());
    await play("#tour");
    await play("#second");
    await play("#sound");
    await checkpoint(page);
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/video", "video_play /fixtures/video", "video_play /fixtures/video", "checkpoint /fixtures/video"]);
    const v = (await visitor(E2E_SITE, vid))!;
    expect(v.recentEvents.filter((e) => e.type === "video_play").map((e) => e.props)).toEqual(
      expect.arrayContaining([
        { src: `${demo}/tour.webm`, title: "Acme product tour" },
        // Stored without its query string, which can carry personal data.
        { src: `${demo}/tour.webm`, title: "Second video" },
      ]),
    );
    expect(v.breakdown).toEqual(expect.arrayContaining([expect.objectContaining({ rule: "video", points: 4, fired: 2 })]));
  });
});

describe("downloads", () => {
  it("sends clicks on links to files (default extensions, any case, or a download attribute) with the file", async () => {
    const { page, vid } = await open("/fixtures/page");
    // Keep the page: the tracker sees the click before the page's own handler stops the navigation.
    await page.evaluate(() => document.addEventListener("click", (e) => e.preventDefault()));
    for (const link of ["#upper", "#attr", "#plain", "#anchor"]) await page.click(link);
    await checkpoint(page);
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "download /fixtures/page", "download /fixtures/page", "checkpoint /fixtures/page"]);
    const v = (await visitor(E2E_SITE, vid))!;
    expect(v.recentEvents.filter((e) => e.type === "download").map((e) => e.props)).toEqual(
      expect.arrayContaining([{ file: `${demo}/fixtures/files/Report.XLSX` }, { file: `${demo}/fixtures/files/data.json` }]),
    );
  });

  it("sends a download when the link leaves the page, without waiting for a timer", async () => {
    const { page, vid } = await open("/fixtures/page");
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/page"]);
    // A page can unload before a timer set in the click runs (seen on a loaded machine): here no timer runs at all.
    await page.evaluate(() => {
      window.setTimeout = (() => 0) as unknown as typeof window.setTimeout;
    });
    await page.click("#pdf");
    await page.waitForURL("**/acme-brochure.pdf");
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/page", "download /fixtures/page"]);
    const v = await expectVisitor(E2E_SITE, vid, { score: 16 });
    expect(v.recentEvents.find((e) => e.type === "download")?.props).toEqual({ file: `${demo}/acme-brochure.pdf` });
  });

  it("takes its extensions from data-downloads when the script tag has it", async () => {
    const { page, vid } = await open("/fixtures/downloads");
    await page.evaluate(() => document.addEventListener("click", (e) => e.preventDefault()));
    await page.click("#pdf");
    await page.click("#md");
    await checkpoint(page);
    await expectEvents(E2E_SITE, vid, ["pageview /fixtures/downloads", "download /fixtures/downloads", "checkpoint /fixtures/downloads"]);
    expect((await visitor(E2E_SITE, vid))!.recentEvents.find((e) => e.type === "download")?.props).toEqual({ file: `${demo}/fixtures/files/readme.md` });
  });
});

describe("the leadscore() command queue", () => {
  it("runs identify and track queued before the script loaded, in one beacon with the page view", async () => {
    const { vid, s } = await open("/fixtures/commands");
    const v = await expectVisitor(E2E_SITE, vid, {
      identity: { email: "ada@example.com", traits: { company: "Acme", title: "Director", seats: 12 } },
      score: 31,
    });
    expect(v.recentEvents.map((e) => `${e.type} ${JSON.stringify(e.props)}`).reverse()).toEqual([
      `identify {"company":"Acme","title":"Director","seats":12,"email":"Ada@Example.com"}`,
      `signup {"plan":"team"}`,
      "pageview null",
    ]);
    expect(s.beacons).toHaveLength(1);
    expect(s.beacons[0]?.e.map((e) => e.n)).toEqual(["identify", "track", "pageview"]);
  });

  it("passes an identify's sig through, so the collector verifies the email", async () => {
    // The site's backend holds the identity secret and signs the email it renders into the page.
    const made = await fetch(`${collector}/api/sites/${E2E_SITE}/identity-secret`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(made.status, await made.clone().text()).toBe(200);
    const { identitySecret } = (await made.json()) as { identitySecret: string };
    const email = "signed@example.com";
    const sig = createHmac("sha256", identitySecret).update(email).digest("hex");
    const { page, vid, s } = await open("/fixtures/page");
    await page.evaluate(([email, sig]) => window.leadscore?.("identify", { email, sig, traits: { title: "CTO" } }), [email, sig] as const);
    await expectVisitor(E2E_SITE, vid, { identity: { email, emailVerified: true, traits: { title: "CTO" } } });
    expect(sentEvents(s).find((e) => e.n === "identify")?.d).toEqual({ email, sig, traits: { title: "CTO" } });
  });

  it("drops an invalid event alone: the events sent with it still count", async () => {
    const { page, vid, s } = await open("/fixtures/commands?email=bad-track@example.com", refusedBeacon);
    await page.click("#bad-track");
    await expectEvents(E2E_SITE, vid, ["identify /fixtures/commands", "signup /fixtures/commands", "pageview /fixtures/commands", "webinar_signup /fixtures/commands"]);
    // One beacon with both, refused (400), then each alone.
    expect(s.beacons.slice(1).map((b) => b.e.map((e) => e.c))).toEqual([["Not A Valid Name", "webinar_signup"], ["Not A Valid Name"], ["webinar_signup"]]);
  });

  it("never throws into the page, whatever it is given", async () => {
    const { page, vid } = await open("/fixtures/commands?email=nonsense@example.com", refusedBeacon);
    await page.click("#nonsense");
    await checkpoint(page);
    // Of the four calls only identify() makes a valid event (an identify that names nothing): nothing threw.
    await expectEvents(E2E_SITE, vid, [
      "identify /fixtures/commands",
      "signup /fixtures/commands",
      "pageview /fixtures/commands",
      "identify /fixtures/commands",
      "checkpoint /fixtures/commands",
    ]);
  });
});

describe("without storage", () => {
  it("still sends every page's events, each page under a visitor id of its own", async () => {
    const session = await openTracked(collector);
    const { page, beacons } = session;
    // As in a browser that blocks site data: reading window.localStorage throws.
    await page.addInitScript(() =>
      Object.defineProperty(window, "localStorage", {
        get() {
          throw new DOMException("storage is blocked", "SecurityError");
        },
      }),
    );
    await page.goto(`${demo}/fixtures/page`);
    await page.click("#next");
    await page.waitForURL("**/fixtures/page?from=next");
    await expect.poll(() => beacons.length).toBe(2);
    const [first, second] = beacons.map((b) => b.v);
    expect(first).not.toBe(second);
    await expectEvents(E2E_SITE, first as string, ["pageview /fixtures/page"]);
    await expectEvents(E2E_SITE, second as string, ["pageview /fixtures/page"]);
  });
});
