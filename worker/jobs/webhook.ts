import { sendWebhook, webhookId, type Notification } from "../ingest/webhook";
import type { Database } from "../store/db";
import { findSite } from "../store/sites";
import { recordWebhookFailure } from "../store/webhook-failures";
import { enqueue, type WebhookMessage } from "./messages";

/** Attempts per notice before it goes to the dead-letter record (webhook_failures). */
export const WEBHOOK_ATTEMPTS = 5;

/** Seconds before attempt `attempt + 1`: 30 s, 2 min, 8 min, 32 min (the queue holds the message meanwhile). */
export function webhookBackoff(attempt: number): number {
  return Math.min(30 * 4 ** (attempt - 1), 12 * 3600);
}

/** Puts prospect notices on the queue; each is delivered (and retried) by the consumer. */
export async function enqueueNotices(queue: Queue, notices: (Notification | null)[]): Promise<void> {
  const messages: WebhookMessage[] = [];
  for (const n of notices) if (n) messages.push({ kind: "webhook", site: n.notice.site, delivery: await webhookId(n.notice), notice: n.notice });
  if (messages.length) await enqueue(queue, messages);
}

/**
 * One delivery attempt of a queued notice, to the site's webhook as it is now (a webhook removed meanwhile
 * ends it). Answers how long to wait before the next attempt, or null when the notice is finished with:
 * delivered, or recorded in webhook_failures after the last attempt (or at once, when trying again cannot
 * help: a refused URL, a redirect).
 */
export async function deliverNotice(db: Database, env: { ALLOW_LOCAL_WEBHOOKS?: string }, message: WebhookMessage, attempt: number, now: number): Promise<number | null> {
  const site = await findSite(db, message.site);
  if (!site?.webhookUrl || !site.webhookSecret) return null;
  const result = await sendWebhook(message.notice, site, env);
  if (result.delivered) return null;
  console.warn(`prospect webhook for ${message.site} failed: ${result.reason} (attempt ${attempt} of ${WEBHOOK_ATTEMPTS})`);
  if (result.retry && attempt < WEBHOOK_ATTEMPTS) return webhookBackoff(attempt);
  await recordWebhookFailure(db, message.site, message.delivery, message.notice, attempt, result.reason, now);
  return null;
}
