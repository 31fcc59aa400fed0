// Helpers for the end-to-end tests: Chromium through playwright-core, what pages send, what the API says.
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, afterEach, expect } from "vitest";

/** The system's Chromium (Debian package); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless Chromium calls itself HeadlessChrome, which the collector rightly drops as a bot; the tests
 * browse as the desktop Chrome they stand in for.
 */
export const DESKTOP_CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/** Launches headless Chromium, or fails when it is not installed. */
async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the end-to-end tests need Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * One Chromium for a test file, launched by the first test that asks for it: without Chromium every test
 * fails with the reason (a launch in beforeAll would only mark them skipped).
 */
export function chromiumOnDemand(): { browser(): Promise<Browser>; close(): Promise<void> } {
  let launched: Promise<Browser> | undefined;
  return {
    browser: () => (launched ??= launchChromium()),
    async close() {
      await (await launched?.catch(() => undefined))?.close();
    },
  };
}

/**
 * Browser sessions for a test file: one Chromium, launched on first use; each test's session is closed
 * after the test, and any console or page error it recorded fails it. Returns the function that opens one.
 */
export function browserSessions(): (collector: string, options?: SessionOptions) => Promise<Session> {
  const chromium = chromiumOnDemand();
  let current: Session | undefined;
  afterAll(() => chromium.close());
  afterEach(async () => {
    const errors = current?.errors ?? [];
    await current?.close();
    current = undefined;
    expect(errors, "console and page errors").toEqual([]);
  });
  return async (collector, options) => (current = await openSession(await chromium.browser(), collector, options));
}

/** An event as the tracker sends it. */
export interface BeaconEvent {
  i: string;
  n: string;
  t: number;
  u: string;
  r?: string;
  c?: string;
  d?: Record<string, unknown>;
}

/** A beacon body as the tracker sends it. */
export interface Beacon {
  s: string;
  v: string;
  t: number;
  e: BeaconEvent[];
}

/** A browser profile (context) with one page, recording what it sends and what goes wrong in it. */
export interface Session {
  context: BrowserContext;
  page: Page;
  /** Every beacon body the context's pages sent to the collector, in order. */
  beacons: Beacon[];
  /** Console errors and uncaught errors of the context's pages. */
  errors: string[];
  close(): Promise<void>;
}

/** Context options, and the console errors a test causes on purpose. */
export type SessionOptions = BrowserContextOptions & { expectedError?: (text: string, url: string) => boolean };

/**
 * Opens a fresh profile. `expectedError` names console errors a test causes on purpose (e.g. the network
 * errors of a collector it has stopped); any other console or page error is recorded.
 */
export async function openSession(browser: Browser, collector: string, options: SessionOptions = {}): Promise<Session> {
  const { expectedError, ...contextOptions } = options;
  const context = await browser.newContext({ userAgent: DESKTOP_CHROME, ...contextOptions });
  const beacons: Beacon[] = [];
  const errors: string[] = [];
  context.on("request", (req) => {
    if (req.method() === "POST" && req.url() === `${collector}/e`) beacons.push(JSON.parse(req.postData() ?? "null") as Beacon);
  });
  context.on("console", (msg) => {
    if (msg.type() === "error" && !expectedError?.(msg.text(), msg.location().url)) errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  context.on("weberror", (err) => errors.push(`uncaught: ${err.error().message}`));
  const page = await context.newPage();
  return { context, page, beacons, errors, close: () => context.close() };
}

/** A visitor as GET /api/sites/:site/visitors/:id describes it. */
export interface VisitorJson {
  id: string;
  score: number;
  prospect: boolean;
  visits: number;
  breakdown: { rule: string; label: string; points: number; fired: number }[];
  source: Record<string, string> | null;
  identity: { email: string | null; emailVerified: boolean; traits: Record<string, string | number | boolean> };
  recentEvents: { id: string; type: string; path: string; at: string; props: Record<string, unknown> | null }[];
}

/** The API of one collector, with its bearer token. */
export function api(collector: string, token: string) {
  /** A visitor's detail, or null while the collector has never heard of them. */
  async function visitor(site: string, id: string): Promise<VisitorJson | null> {
    const res = await fetch(`${collector}/api/sites/${site}/visitors/${id}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`GET visitor ${id}: ${res.status} ${await res.text()}`);
    return (await res.json()) as VisitorJson;
  }

  /**
   * The visitor's events as sorted "type path" lines (easy to compare and to read in a failure). Sorted: the
   * collector may store two beacons sent close together in either order.
   */
  async function events(site: string, id: string): Promise<string[]> {
    const v = await visitor(site, id);
    return (v?.recentEvents ?? []).map((e) => `${e.type} ${e.path}`).sort();
  }

  return {
    visitor,
    events,
    /** Waits until the visitor's events are exactly `expected` (in any order), and fails if they never are. */
    async expectEvents(site: string, id: string, expected: string[]): Promise<void> {
      await expect.poll(() => events(site, id), { timeout: 15_000, interval: 100 }).toEqual([...expected].sort());
    },
    /** Waits until the visitor matches `expected`, and returns it. */
    async expectVisitor(site: string, id: string, expected: Record<string, unknown>): Promise<VisitorJson> {
      await expect.poll(() => visitor(site, id), { timeout: 15_000, interval: 100 }).toMatchObject(expected);
      return (await visitor(site, id)) as VisitorJson;
    },
  };
}

/** The visitor id the tracker keeps in the page's storage. */
export function storedVisitorId(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem("leadscore_vid"));
}

/** The tracker's keys in the page's storage. */
export function storedKeys(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => Object.fromEntries(Object.entries(localStorage).filter(([k]) => k.startsWith("leadscore"))));
}
