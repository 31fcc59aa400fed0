import { Hono, type Context, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { isbot } from "isbot";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { ApiError, storageUnavailable } from "../lib/errors";
import { describeIssues } from "../lib/validate";
import { scoreBatch, type IncomingEvent } from "../ingest/score-batch";
import { enqueueNotices } from "../jobs/webhook";
import { originAllowed } from "../ingest/origins";
import { sourceOf } from "../ingest/source";
import { correctedTime, epochMs } from "../ingest/clock";
import { beaconEventName, clientId, siteId } from "../ingest/ids";
import { identifyProps, SIG_PROP, verifiedIdentifies } from "../ingest/verify-identity";
import { pathWithoutParams, withBareUrls } from "../ingest/strip-url";
import { flatIdentify } from "../ingest/identify-traits";
import { identitySecretOf } from "../store/identity-secret";
import { emailAddress, eventProps } from "../ingest/props";
import { GEO_COUNTRY_PROP } from "../scoring/engine";
import { databaseFor } from "../store/db";
import { spendSiteBeacon } from "../ingest/site-allowance";

/** Largest beacon body accepted, in bytes. */
export const MAX_BEACON_BYTES = 16 * 1024;
/** Most events accepted in one beacon. */
export const MAX_BEACON_EVENTS = 20;
/** Longest page path kept (after URL normalisation, which can lengthen a URL's path by percent-encoding). */
export const MAX_PATH_LENGTH = 2000;
/** Most events one visitor may send in any 60 seconds (in bursts of at most half); beyond it the beacon gets a 429. */
export const MAX_VISITOR_EVENTS_PER_MINUTE = 120;
/** Seconds a client waits when it has made too many new visitor ids (the NEW_VISITOR_RATE_LIMIT period). */
export const NEW_VISITOR_RETRY_AFTER = 60;
/** The header that says why a 202 stored nothing. */
export const IGNORED_HEADER = "X-Leadscore-Ignored";

const beaconEvent = z.strictObject({
  /** Client event id: a retry carries the same one. */
  i: clientId,
  /** Type: pageview, video_play, download, identify (email and traits in `d`), or track (a custom event named by `c`). */
  n: z.enum(["pageview", "video_play", "download", "identify", "track"]),
  c: beaconEventName.optional(),
  /** Client time of the event. */
  t: epochMs,
  /** Page URL. */
  u: z.url({ protocol: /^https?$/ }).max(2000),
  /** Referrer. */
  r: z.string().max(2000).optional(),
  /** Properties: a flat object of short scalars. */
  d: eventProps.optional(),
})
  .refine((e) => (e.n === "track") === (e.c !== undefined), { message: "c (the custom event name) goes with n = track, and only with it", path: ["c"] })
  .refine((e) => e.n !== "identify" || (e.d?.email === undefined || emailAddress.safeParse(e.d.email).success), {
    message: "d.email is not an email address",
    path: ["d", "email"],
  })
  .refine((e) => e.n !== "identify" || e.d?.[SIG_PROP] === undefined || (typeof e.d[SIG_PROP] === "string" && /^[0-9a-fA-F]{64}$/.test(e.d[SIG_PROP]) && e.d.email !== undefined), {
    message: "d.sig is the hex HMAC-SHA256 of d.email (64 hex digits), and goes with d.email",
    path: ["d", SIG_PROP],
  });

/** The beacon body (POST /e). */
export const beacon = z.strictObject({
  /** Site id. */
  s: siteId,
  /** Visitor id. */
  v: clientId,
  /** Client time of sending. */
  t: epochMs,
  e: z.array(beaconEvent).min(1).max(MAX_BEACON_EVENTS),
});

export type Beacon = z.input<typeof beacon>;

const tooLarge = () => new ApiError("payload_too_large", `a beacon is at most ${MAX_BEACON_BYTES} bytes`);

/** Reads the body, stopping as soon as it passes the limit (a chunked body declares no length). */
async function readBody(request: Request): Promise<string> {
  const length = request.headers.get("content-length");
  const declared = Number(length ?? "0");
  if (declared > MAX_BEACON_BYTES) throw tooLarge();
  if (!request.body) return "";
  // A declared length bounds the body (HTTP framing), so it is read in one call; the size is checked again
  // in case a caller inside the runtime declared less than it sent.
  const bytes = length !== null ? new Uint8Array(await request.arrayBuffer()) : await readChunked(request.body);
  if (bytes.byteLength > MAX_BEACON_BYTES) throw tooLarge();
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ApiError("bad_request", "body is not valid UTF-8");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** A body of no declared length, read chunk by chunk and cancelled as soon as it passes the limit. */
async function readChunked(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BEACON_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

// A lone surrogate (JSON allows "\ud800") is not text: D1 could not store it faithfully.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Valid UTF-8 decodes to no lone surrogate, so only a \u escape can make one, and a key named __proto__
// is spelt out or escaped: a body with neither (what the tracker sends) is parsed without the reviver.
const MAYBE_UNSAFE = /\\u|__proto__/;

function parseBeacon(text: string) {
  let json: unknown;
  try {
    json = !MAYBE_UNSAFE.test(text) ? JSON.parse(text) : JSON.parse(text, (key, value: unknown) => {
      if (LONE_SURROGATE.test(key) || (typeof value === "string" && LONE_SURROGATE.test(value))) {
        throw new ApiError("bad_request", "body holds a lone UTF-16 surrogate");
      }
      // zod would drop such a key silently; a beacon that carries one is junk, and says so.
      if (key === "__proto__") throw new ApiError("bad_request", "invalid beacon: no key may be named __proto__");
      return value;
    });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError("bad_request", "body is not valid JSON");
  }
  const events = (json as { e?: unknown } | null)?.e;
  if (Array.isArray(events) && events.length > MAX_BEACON_EVENTS) {
    throw new ApiError("payload_too_large", `a beacon carries at most ${MAX_BEACON_EVENTS} events`);
  }
  if (Array.isArray(events)) (json as { e: unknown[] }).e = events.map(flatIdentify);
  const result = beacon.safeParse(json);
  if (!result.success) throw new ApiError("bad_request", `invalid beacon: ${describeIssues(result.error)}`);
  return result.data;
}

const preflight = cors({ origin: "*", allowMethods: ["POST"], maxAge: 86_400, exposeHeaders: [IGNORED_HEADER, "Retry-After"] });
const EXPOSED = `${IGNORED_HEADER},Retry-After`;

/**
 * CORS for the beacon: a preflight gets hono's answer; any other request gets the same two headers as
 * prepared headers, which every answer (202s and error envelopes alike) is built with, so no placeholder
 * response is made and copied per beacon.
 */
const beaconCors: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "OPTIONS") return preflight(c, next);
  c.header("Access-Control-Allow-Origin", "*");
  c.header("Access-Control-Expose-Headers", EXPOSED);
  await next();
};

/** POST /e: the beacon endpoint the tracker sends to (text/plain JSON, so browsers send no preflight). */
export const collect = new Hono<AppEnv>()
  // Any page may read the answer (the tracker checks delivery); whether a page may send is the site's
  // allowed origins, checked below. No credentials are involved.
  .use("/e", beaconCors)
  .post("/e", async (c) => {
    const receivedAt = Date.now();
    const body = parseBeacon(await readBody(c.req.raw));
    // Bots (and clients that send no user agent, which no browser does) are answered as accepted, so they
    // have no reason to retry, and are neither stored nor scored. The user agent itself is never stored.
    const userAgent = c.req.header("user-agent") ?? "";
    if (!userAgent || isbot(userAgent)) return ignored(c, "bot");
    const origin = c.req.header("origin") ?? null;
    const geo = countryOf(c.req.raw);
    const verified = await verifiedIdentifies(async () => {
      try {
        return await identitySecretOf(c.var.db, body.s);
      } catch (err) {
        throw storageUnavailable(err);
      }
    }, body.e);
    let siteLimitSpent = false;
    const events: IncomingEvent[] = body.e.map((e, i) => {
      const url = new URL(e.u);
      if (url.pathname.length > MAX_PATH_LENGTH) throw new ApiError("bad_request", `invalid beacon: e[${i}].u: the path is over ${MAX_PATH_LENGTH} characters`);
      return {
        id: e.i,
        type: e.n === "track" ? (e.c as string) : e.n,
        ts: correctedTime(receivedAt, body.t, e.t),
        path: pathWithoutParams(url.pathname),
        props: beaconProps(e, verified[i] === true, geo),
        via: "web",
      };
    });
    const result = await scoreBatch(
      databaseFor(c.env, body.s),
      body.s,
      body.v,
      events,
      receivedAt,
      // The site and origin are checked first, so a refused beacon spends no site allowance. The site is
      // read with the rest of the scoring input (no extra round trip); a retried attempt spends nothing more.
      async ({ site }) => {
        if (!originAllowed(origin, site.origins)) {
          throw new ApiError("forbidden", origin ? `origin ${origin} may not send events for site "${site.id}"` : "a beacon must carry an Origin header");
        }
        if (siteLimitSpent) return;
        siteLimitSpent = true;
        if (!(await spendSiteBeacon(c.env.SITE_RATE_LIMIT, site.id, receivedAt))) {
          throw new ApiError("rate_limited", `too many beacons for site "${site.id}"; retry shortly`, { "Retry-After": "10" });
        }
      },
      sourceOf(body.e),
      { eventsPerVisitorMinute: MAX_VISITOR_EVENTS_PER_MINUTE, newVisitor: () => newVisitorAllowed(c, body.s), boundHistory: true },
    );
    if (result.ignored) return ignored(c, result.ignored);
    if (result.notify) c.executionCtx.waitUntil(enqueueNotices(c.env.JOBS, [result.notify]).catch((err: unknown) => console.error("enqueueing a prospect notice failed", err)));
    return c.json({ accepted: result.accepted.length, duplicates: result.duplicates }, 202);
  });

/**
 * A beacon event's properties as stored: URLs bare, an identify's signature replaced by the verified
 * mark, and the located country (a property clients cannot send) added.
 */
function beaconProps(e: { n: string; d?: Record<string, string | number | boolean> | undefined }, verified: boolean, geo: string | null): Record<string, unknown> | null {
  let props: Record<string, unknown> | null = e.d ? withBareUrls(e.n, e.d) : null;
  if (props && e.n === "identify") props = identifyProps(props, verified);
  return geo ? { ...props, [GEO_COUNTRY_PROP]: geo } : props;
}

/**
 * The per-client limit on new visitor ids: a client (its connecting IP, which goes into the rate-limit
 * binding's key and nowhere else: not stored, not logged) may start only so many visitors per site a minute,
 * so minting fake prospects takes many addresses. Without the header (a request that did not come through
 * Cloudflare's edge, such as a test calling the worker directly) there is no client to count.
 */
async function newVisitorAllowed(c: Context<AppEnv>, siteId: string): Promise<void> {
  const ip = c.req.header("cf-connecting-ip");
  if (!ip) return;
  const { success } = await c.env.NEW_VISITOR_RATE_LIMIT.limit({ key: `${siteId}\n${ip}` });
  if (!success) {
    throw new ApiError("rate_limited", `too many new visitors from one client for site "${siteId}"; retry shortly`, { "Retry-After": String(NEW_VISITOR_RETRY_AFTER) });
  }
}

/** The visitor's country as the edge located the request (ISO 3166 alpha-2), if it did. */
function countryOf(request: Request): string | null {
  const country = (request as Request & { cf?: { country?: unknown } }).cf?.country;
  // XX: unknown; T1: Tor.
  return typeof country === "string" && /^[A-Z]{2}$/.test(country) && country !== "XX" && country !== "T1" ? country : null;
}

/** A 202 that stored nothing, saying why in a header and the body. */
function ignored(c: Context<AppEnv>, reason: "bot" | "erased") {
  c.header(IGNORED_HEADER, reason);
  return c.json({ accepted: 0, duplicates: 0, ignored: reason }, 202);
}
