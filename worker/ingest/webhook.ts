import type { SiteRow } from "../../schema";
import { hmacSha256Base64, sha256Hex, webhookKey } from "../lib/hash";
import { localWebhooksAllowed, webhookUrlProblem } from "../lib/webhook-url";
import { evaluate } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import type { ScoreState } from "../scoring/state";

/** What a site's webhook receives the moment a lead becomes a prospect. */
export interface ProspectNotice {
  event: "prospect";
  site: string;
  visitorId: string;
  email: string | null;
  /** False while the email is only a browser's unsigned claim. */
  emailVerified: boolean;
  score: number;
  class: string | null;
  grade: string | null;
  since: string;
  reasons: { rule: string; label: string; points: number }[];
}

/** A notice ready to send: where, with which key, and what. */
export interface Notification {
  url: string;
  secret: string;
  notice: ProspectNotice;
}

/** The notice for a lead that has just become a prospect, if the site has a webhook. */
export function prospectNotification(site: SiteRow, rules: RuleSet, visitorId: string, state: ScoreState, at: number): Notification | null {
  if (!site.webhookUrl || !site.webhookSecret || state.prospectSince === null) return null;
  const score = evaluate(state, rules, at);
  return {
    url: site.webhookUrl,
    secret: site.webhookSecret,
    notice: {
      event: "prospect",
      site: site.id,
      visitorId,
      email: state.email,
      emailVerified: state.emailVerified === true,
      score: score.total,
      class: score.class,
      grade: score.grade,
      since: new Date(state.prospectSince).toISOString(),
      reasons: score.breakdown.filter((r) => r.points > 0).slice(0, 3).map(({ rule, label, points }) => ({ rule, label, points })),
    },
  };
}

/** A site's webhook settings, as stored. */
export type WebhookSite = Pick<SiteRow, "webhookUrl" | "webhookSecret">;

/** What one delivery attempt came to. `retry` says whether trying again later could change it. */
export type SendResult = { delivered: true; status: number } | { delivered: false; reason: string; retry: boolean };

/** How long one attempt may take before it counts as failed. */
const SEND_TIMEOUT_MS = 10_000;

/**
 * The notice's webhook-id: the same for every attempt at the same crossing (site, lead, time), so a receiver
 * that has seen it can drop a repeat, and a retry from any worker carries it.
 */
export async function webhookId(notice: ProspectNotice): Promise<string> {
  return `msg_${(await sha256Hex(`${notice.site}\n${notice.visitorId}\n${notice.since}`)).slice(0, 32)}`;
}

/**
 * POSTs one notice to the site's webhook, once, signed the Standard Webhooks way (webhook-id,
 * webhook-timestamp, webhook-signature: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`). The URL is
 * checked again first (it may have been stored before the check existed), and a redirect is never
 * followed: a 3xx is a failed delivery, so the notice cannot be steered to a host the check refuses.
 */
export async function sendWebhook(notice: ProspectNotice, site: WebhookSite, env: { ALLOW_LOCAL_WEBHOOKS?: string }): Promise<SendResult> {
  if (!site.webhookUrl || !site.webhookSecret) return { delivered: false, reason: "the site has no webhook", retry: false };
  const problem = webhookUrlProblem(site.webhookUrl, localWebhooksAllowed(env));
  if (problem) return { delivered: false, reason: `refused: ${problem}`, retry: false };
  const body = JSON.stringify(notice);
  const id = await webhookId(notice);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    "content-type": "application/json",
    "user-agent": "leadscore-webhook",
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${await hmacSha256Base64(webhookKey(site.webhookSecret), `${id}.${timestamp}.${body}`)}`,
  };
  let res: Response;
  try {
    res = await fetch(site.webhookUrl, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  } catch (err) {
    return { delivered: false, reason: `no answer: ${err instanceof Error ? err.message : String(err)}`, retry: true };
  }
  // The body is not needed; reading it off frees the connection.
  await res.body?.cancel();
  if (res.status >= 200 && res.status < 300) return { delivered: true, status: res.status };
  if (res.status >= 300 && res.status < 400) return { delivered: false, reason: `answered ${res.status}; redirects are not followed`, retry: false };
  return { delivered: false, reason: `answered ${res.status}`, retry: true };
}
