// The demo's synthetic history: a few hundred made-up visitors (emails @example.com) over the last 30
// days, sent through the collector's real API (beacons to /e, server-side events, the hourly cron) so the
// console's charts, the prospect lists of past days, the CSV and the webhook have something to show.
// The collector's clock cannot be set back, and it pins an event to at most 7 days before it arrives, so
// the history is replayed once, on the first run, by the worker's own code in this process (bundled with
// esbuild, on the same local D1 database through wrangler's getPlatformProxy) with Date.now stepped
// along the 30 days.
import { build } from "esbuild";
import { timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { getPlatformProxy } from "wrangler";
import { seededRandom } from "./seeded-random.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;

/** What the seeding made, for the banner and the demo's webhook page. */
export interface Seeded {
  visitors: number;
  identified: number;
  beacons: number;
  serverEvents: number;
  lists: number;
  webhookSecret: string | null;
}

const FIRST = ["ana", "ben", "chloe", "dev", "elena", "farid", "grace", "hiro", "ines", "jon", "kemi", "liam", "maya", "nils", "olga", "pablo", "qin", "rosa", "sam", "tara", "umar", "vera", "wen", "xavi", "yara", "zoe"];
const LAST = ["garcia", "smith", "okafor", "tanaka", "muller", "rossi", "novak", "silva", "khan", "larsen", "dubois", "cohen", "park", "moreau"];
const COMPANIES = ["Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Wonka", "Tyrell", "Cyberdyne", "Aperture", "Monarch"];
const TITLES = ["Director", "Manager", "VP", "Analyst", "Head of Marketing", "CTO", "Engineer", "Consultant"];
const INDUSTRIES = ["Technology", "Technology", "Education", "Retail", "Finance", "Healthcare"];
const SOURCES = [null, null, "https://www.google.com/", "https://news.ycombinator.com/", "https://www.linkedin.com/"];

interface BeaconEvent {
  i: string;
  n: string;
  c?: string;
  t: number;
  u: string;
  r?: string;
  d?: Record<string, string | number | boolean>;
}

type Delivery =
  | { at: number; kind: "beacon"; visitor: string; events: BeaconEvent[] }
  | { at: number; kind: "server"; email: string; events: { id: string; type: string; at: number; props?: Record<string, string> }[] };

/** Makes up the visitors and what each of them did, as deliveries in the order they reach the collector. */
export function syntheticHistory(demo: string, now: number, count = 300): Delivery[] {
  const rnd = seededRandom(20261123);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const out: Delivery[] = [];
  for (let v = 0; v < count; v++) {
    const visitor = `demo-${String(v).padStart(4, "0")}-${Math.floor(rnd() * 1e8).toString(36)}`;
    // Engaged people come back more often and go further down the funnel.
    const keen = rnd();
    const sessions = keen > 0.85 ? 3 + Math.floor(rnd() * 3) : keen > 0.55 ? 2 : 1;
    let t = now - Math.floor(rnd() * 30 * DAY);
    t -= t % MINUTE;
    const first = FIRST[v % FIRST.length] as string;
    const person = {
      email: `${first}.${pick(LAST)}.${v}@example.com`,
      name: `${first[0]?.toUpperCase()}${first.slice(1)}`,
      company: pick(COMPANIES),
      title: pick(TITLES),
      industry: pick(INDUSTRIES),
    };
    let identified = false;
    let n = 0;
    const id = () => `${visitor}-e${n++}`;
    for (let s = 0; s < sessions && t < now - 5 * MINUTE; s++) {
      const events: BeaconEvent[] = [];
      let at = t;
      const page = (path: string, extra: Partial<BeaconEvent> = {}) => {
        events.push({ i: id(), n: "pageview", t: at, u: `${demo}${path}`, ...extra });
        at += MINUTE + Math.floor(rnd() * 2 * MINUTE);
      };
      const referrer = s === 0 ? pick(SOURCES) : null;
      page(s === 0 && rnd() < 0.3 ? "/?utm_source=newsletter&utm_campaign=autumn" : "/", referrer ? { r: referrer } : {});
      if (rnd() < 0.35 + keen * 0.4) page("/pricing");
      if (rnd() < 0.3 + keen * 0.4) {
        page("/video");
        if (rnd() < 0.75) events.push({ i: id(), n: "video_play", t: at, u: `${demo}/video`, d: { src: `${demo}/tour.webm`, title: "Product tour" } });
      }
      if (rnd() < keen * 0.6) {
        page("/contact");
        if (!identified && rnd() < 0.35 + keen * 0.4) {
          identified = true;
          events.push({ i: id(), n: "identify", t: at, u: `${demo}/contact`, d: { email: person.email, name: person.name, company: person.company, title: person.title, industry: person.industry } });
          events.push({ i: id(), n: "track", c: "demo_request", t: at, u: `${demo}/contact`, d: { company: person.company } });
        }
      }
      if (rnd() < 0.15 + keen * 0.3) events.push({ i: id(), n: "download", t: at, u: `${demo}/`, d: { file: `${demo}/acme-brochure.pdf` } });
      out.push({ at: Math.min(at, now - MINUTE), kind: "beacon", visitor, events });
      // The mailer and the webinar tool report what identified leads did next.
      if (identified && rnd() < 0.6) {
        const when = Math.min(at + DAY + Math.floor(rnd() * 2 * DAY), now - MINUTE);
        const server: { id: string; type: string; at: number; props?: Record<string, string> }[] = [
          { id: `${visitor}-mail${s}`, type: "email_click", at: when, props: { campaign: "autumn" } },
        ];
        if (rnd() < 0.3) server.push({ id: `${visitor}-webinar${s}`, type: "webinar_attended", at: when, props: { webinar: "Scoring 101" } });
        if (when > at) out.push({ at: when, kind: "server", email: person.email, events: server });
      }
      t = at + Math.floor((0.5 + rnd() * 5) * DAY);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

interface WorkerModule {
  default: {
    fetch(request: Request, env: unknown, ctx: unknown): Promise<Response>;
    scheduled(controller: unknown, env: unknown, ctx: unknown): Promise<void>;
    queue(batch: unknown, env: unknown, ctx: unknown): Promise<void>;
  };
}

/** Most deliveries of one message before the seeding queue drops it (a webhook the demo never takes). */
const MAX_ATTEMPTS = 5;

/**
 * The jobs queue for a worker run in-process: messages are kept in memory and handed to the worker's queue
 * handler one at a time when `drain` is called; a retried message goes to the back (its delay is not
 * waited for: seeding steps its own clock).
 */
function memoryQueue(worker: WorkerModule["default"], env: () => unknown, ctx: unknown) {
  const waiting: { body: unknown; attempts: number }[] = [];
  let ids = 0;
  return {
    binding: {
      async send(body: unknown) {
        waiting.push({ body, attempts: 1 });
      },
      async sendBatch(messages: { body: unknown }[]) {
        for (const m of messages) waiting.push({ body: m.body, attempts: 1 });
      },
    },
    async drain() {
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        const { body, attempts } = next;
        const message = {
          id: String(++ids),
          timestamp: new Date(),
          body,
          attempts,
          ack() {},
          retry() {
            if (attempts < MAX_ATTEMPTS) waiting.push({ body, attempts: attempts + 1 });
          },
        };
        await worker.queue({ queue: "leadscore-jobs", messages: [message], ackAll() {}, retryAll() {} }, env(), ctx);
      }
    },
  };
}

/**
 * Creates the demo site (with its rules and a webhook to the demo website) and replays the synthetic
 * history into it, with the cron run at each day's list hour. Returns null when the site exists already.
 */
export async function seedDemo(o: { persistTo: string; token: string; siteId: string; demo: string; webhookUrl: string; rules: unknown; now?: number }): Promise<Seeded | null> {
  const bundle = join(o.persistTo, "seed-worker.mjs");
  await build({ entryPoints: ["worker/index.ts"], outfile: bundle, bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], logLevel: "error" });
  const worker = ((await import(pathToFileURL(bundle).href)) as WorkerModule).default;
  // The worker compares secrets with the Workers runtime's crypto.subtle.timingSafeEqual, which Node lacks.
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBuffer, b: ArrayBuffer) => boolean };
  subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(new Uint8Array(a), new Uint8Array(b));
  const proxy = await getPlatformProxy<{ DB: unknown; SITE_RATE_LIMIT?: unknown }>({ persist: { path: join(o.persistTo, "v3") }, envFiles: [] });
  // The demo's webhook receiver is on 127.0.0.1, which only a local run may post to.
  const allow = { limit: async () => ({ success: true }) };
  const realNow = Date.now;
  const now = o.now ?? realNow();
  let clock = now;
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => pending.push(p), passThroughOnException() {}, props: {} };
  const jobs = memoryQueue(worker, () => env, ctx);
  const env = { DB: proxy.env.DB, JOBS: jobs.binding, SITE_RATE_LIMIT: allow, NEW_VISITOR_RATE_LIMIT: allow, API_TOKEN: o.token, ALLOW_LOCAL_WEBHOOKS: "1" };
  // Each call's background work (webhook notices, jobs) is done before the clock moves on.
  const settle = async () => {
    await Promise.all(pending.splice(0));
    await jobs.drain();
  };
  const call = async (path: string, init: RequestInit) => {
    const res = await worker.fetch(new Request(`http://127.0.0.1${path}`, init), env, ctx);
    await settle();
    return res;
  };
  const bearer = { authorization: `Bearer ${o.token}`, "content-type": "application/json" };
  try {
    Date.now = () => clock;
    const existing = await call(`/api/sites/${o.siteId}`, { headers: bearer });
    if (existing.status === 200) return null;
    clock = now - 31 * DAY;
    const created = await call("/api/sites", {
      method: "POST",
      headers: bearer,
      body: JSON.stringify({
        id: o.siteId,
        name: "Demo website",
        origins: [o.demo, o.demo.replace("127.0.0.1", "localhost")],
        webhookUrl: o.webhookUrl,
        rules: o.rules,
      }),
    });
    if (created.status !== 201) throw new Error(`creating the demo site failed: ${created.status} ${await created.text()}`);
    const { webhookSecret = null } = (await created.json()) as { webhookSecret?: string };
    const seeded: Seeded = { visitors: 0, identified: 0, beacons: 0, serverEvents: 0, lists: 0, webhookSecret };
    const deliveries = syntheticHistory(o.demo, now);
    // The hourly cron stores each day's list at 07:00 UTC (the site's list hour): run it at each day's.
    let nextCron = Math.ceil((now - 30 * DAY) / DAY) * DAY + 7 * 3_600_000;
    const visitors = new Set<string>();
    const emails = new Set<string>();
    for (const d of [...deliveries, null]) {
      while (nextCron <= now && (d === null || nextCron <= d.at)) {
        clock = nextCron;
        await worker.scheduled({ scheduledTime: nextCron, cron: "0 * * * *", noRetry() {} }, env, ctx);
        await settle();
        seeded.lists += 1;
        nextCron += DAY;
      }
      if (!d) break;
      clock = d.at + 2_000;
      const res =
        d.kind === "beacon"
          ? await call("/e", {
              method: "POST",
              headers: { "content-type": "text/plain;charset=UTF-8", origin: o.demo, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36" },
              body: JSON.stringify({ s: o.siteId, v: d.visitor, t: d.at, e: d.events }),
            })
          : await call(`/api/sites/${o.siteId}/events`, { method: "POST", headers: bearer, body: JSON.stringify({ email: d.email, sentAt: d.at, events: d.events }) });
      if (res.status !== 202) throw new Error(`seeding: ${d.kind} answered ${res.status} ${await res.text()}`);
      if (d.kind === "beacon") {
        seeded.beacons += 1;
        visitors.add(d.visitor);
        for (const e of d.events) if (e.n === "identify" && typeof e.d?.email === "string") emails.add(e.d.email);
      } else seeded.serverEvents += d.events.length;
    }
    seeded.visitors = visitors.size;
    seeded.identified = emails.size;
    return seeded;
  } finally {
    Date.now = realNow;
    await proxy.dispose();
  }
}
