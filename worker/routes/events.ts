import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { IDENTIFY } from "../scoring/engine";
import { IGNORED_HEADER } from "./collect";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { correctedTime, epochMs } from "../ingest/clock";
import { clientId, customEventName } from "../ingest/ids";
import { emailAddress, eventProps } from "../ingest/props";
import { scoreBatch, type IncomingEvent } from "../ingest/score-batch";
import { leadIdForEmail, serverProps } from "../ingest/email-lead";
import { enqueueNotices } from "../jobs/webhook";
import { OUTCOME_EVENT_TYPES, outcomePropsProblem } from "../scoring/outcomes";

/** Engagement outside the website that CRMs, email tools and call systems report. */
export const SERVER_EVENT_TYPES = [
  "email_open",
  "email_click",
  "email_reply",
  "form_submit",
  "webinar_attended",
  "call_answered",
  "call_not_answered",
  "identify",
] as const;

const serverEvent = z.strictObject({
  /** The sender's id for the event: a retry carries the same one and counts once. */
  id: clientId,
  /** One of SERVER_EVENT_TYPES, an outcome (outcome_accepted, _rejected, _won, _lost) or a custom name. */
  type: z.union([z.enum(SERVER_EVENT_TYPES), z.enum(OUTCOME_EVENT_TYPES), customEventName]),
  /** When it happened (ms since epoch), on the sender's clock. */
  at: epochMs,
  /** Properties; for identify, the traits (and optionally email). */
  props: eventProps.optional(),
});

/** POST /api/sites/:site/events body. */
export const serverEventsBody = z
  .strictObject({
    visitorId: clientId.optional(),
    email: emailAddress.optional(),
    /** When the sender sent this (its clock): event times are corrected by the gap to our clock. */
    sentAt: epochMs.optional(),
    events: z.array(serverEvent).min(1).max(100),
  })
  .refine((b) => (b.visitorId === undefined) !== (b.email === undefined), { message: "give exactly one of visitorId or email", path: ["visitorId"] })
  .refine((b) => b.events.every((e) => e.type !== "identify" || e.props?.email === undefined || emailAddress.safeParse(e.props.email).success), {
    message: "an identify event's props.email is not an email address",
    path: ["events"],
  })
  .superRefine((b, ctx) => {
    b.events.forEach((e, i) => {
      const problem = outcomePropsProblem(e.type, e.props);
      if (problem) ctx.addIssue({ code: "custom", path: ["events", i, "props"], message: problem });
    });
  });

/**
 * POST /api/sites/:site/events: server-side events (email, webinars, forms, calls, CRM) for a visitor id
 * or an email, with the same dedupe and clock-skew rules as the beacon. An email no visitor has yet
 * starts a lead of its own, identified by that email.
 */
export const eventsRoutes = new Hono<AppEnv>().post("/", requireScope("ingest"), validate("json", serverEventsBody), async (c) => {
  const receivedAt = Date.now();
  const input = c.req.valid("json");
  const site = await siteFromPath(c);
  const email = input.email?.toLowerCase();
  let visitorId = input.visitorId;
  const sentAt = input.sentAt ?? receivedAt;
  const events: IncomingEvent[] = input.events.map((e) => ({
    id: e.id,
    type: e.type,
    ts: correctedTime(receivedAt, sentAt, e.at),
    path: null,
    props: serverProps(e.type, e.props ?? null),
    via: "api",
  }));
  if (email !== undefined) {
    visitorId = await leadIdForEmail(c.var.db, site.id, email);
    // Harmless when the visitor already has this email; names it when the lead is new. Dated with the
    // earliest event it comes with, so it never moves the lead's first-seen time after theirs.
    const ts = Math.min(...events.map((e) => e.ts));
    events.unshift({ id: `${visitorId}-email`, type: IDENTIFY, ts, path: null, props: serverProps(IDENTIFY, { email }), via: "api" });
  }
  const result = await scoreBatch(c.var.db, site.id, visitorId as string, events, receivedAt, () => {}, null, { boundHistory: true });
  if (result.ignored) {
    c.header(IGNORED_HEADER, result.ignored);
    return c.json({ visitorId, accepted: 0, duplicates: 0, ignored: result.ignored }, 202);
  }
  if (result.notify) c.executionCtx.waitUntil(enqueueNotices(c.env.JOBS, [result.notify]).catch((err: unknown) => console.error("enqueueing a prospect notice failed", err)));
  // The implicit identify is ours, not the sender's: count only the sender's events.
  const accepted = input.events.filter((e) => result.accepted.includes(e.id)).length;
  return c.json({ visitorId, accepted, duplicates: input.events.length - accepted }, 202);
});
