import { Hono } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { describeIssues } from "../lib/validate";
import { scoreBatch, type IncomingEvent } from "../ingest/score-batch";
import { originAllowed } from "../ingest/origins";
import { sourceOf } from "../ingest/source";
import { correctedTime, epochMs } from "../ingest/clock";
import { clientId, customEventName, siteId } from "../ingest/ids";
import { emailAddress, eventProps } from "../ingest/props";

/** Largest beacon body accepted, in bytes. */
export const MAX_BEACON_BYTES = 16 * 1024;
/** Most events accepted in one beacon. */
export const MAX_BEACON_EVENTS = 20;



const beaconEvent = z.strictObject({
  /** Client event id: a retry carries the same one. */
  i: clientId,
  /** Type: pageview, video_play, download, identify (email and traits in `d`), or track (a custom event named by `c`). */
  n: z.enum(["pageview", "video_play", "download", "identify", "track"]),
  c: customEventName.optional(),
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
  });

const beacon = z.strictObject({
  /** Site id. */
  s: siteId,
  /** Visitor id. */
  v: clientId,
  /** Client time of sending. */
  t: epochMs,
  e: z.array(beaconEvent).min(1).max(MAX_BEACON_EVENTS),
});

export type Beacon = z.input<typeof beacon>;

async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BEACON_BYTES) throw new ApiError("payload_too_large", `a beacon is at most ${MAX_BEACON_BYTES} bytes`);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BEACON_BYTES) throw new ApiError("payload_too_large", `a beacon is at most ${MAX_BEACON_BYTES} bytes`);
  return new TextDecoder().decode(bytes);
}

function parseBeacon(text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "body is not valid JSON");
  }
  const events = (json as { e?: unknown } | null)?.e;
  if (Array.isArray(events) && events.length > MAX_BEACON_EVENTS) {
    throw new ApiError("payload_too_large", `a beacon carries at most ${MAX_BEACON_EVENTS} events`);
  }
  const result = beacon.safeParse(json);
  if (!result.success) throw new ApiError("bad_request", `invalid beacon: ${describeIssues(result.error)}`);
  return result.data;
}

/** POST /e: the beacon endpoint the tracker sends to (text/plain JSON, so browsers send no preflight). */
export const collect = new Hono<AppEnv>()
  // Any page may read the answer (the tracker checks delivery); whether a page may send is the site's
  // allowed origins, checked below. No credentials are involved.
  .use("/e", cors({ origin: "*", allowMethods: ["POST"], maxAge: 86_400 }))
  .post("/e", async (c) => {
  const receivedAt = Date.now();
  const body = parseBeacon(await readBody(c.req.raw));
  const origin = c.req.header("origin") ?? null;
  const events: IncomingEvent[] = body.e.map((e) => {
    const url = new URL(e.u);
    return {
      id: e.i,
      type: e.n === "track" ? (e.c as string) : e.n,
      ts: correctedTime(receivedAt, body.t, e.t),
      path: url.pathname,
      props: e.d ?? null,
    };
  });
  const result = await scoreBatch(
    c.var.db,
    body.s,
    body.v,
    events,
    receivedAt,
    ({ site }) => {
      if (!originAllowed(origin, site.origins)) {
        throw new ApiError("forbidden", origin ? `origin ${origin} may not send events for site "${site.id}"` : "a beacon must carry an Origin header");
      }
    },
    sourceOf(body.e),
  );
  return c.json({ accepted: result.accepted.length, duplicates: result.duplicates }, 202);
});
