import { sendNotice, type Notification } from "../ingest/webhook";
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
  const messages: WebhookMessage[] = notices.flatMap((n) =>
    n ? [{ kind: "webhook", site: n.notice.site, delivery: crypto.randomUUID(), notice: n.notice }] : [],
  );
  if (messages.length) await enqueue(queue, messages);
}

/**
 * One delivery attempt of a queued notice, to the site's webhook as it is now (a webhook removed meanwhile
 * ends it). Answers how long to wait before the next attempt, or null when the notice is finished with:
 * delivered, or recorded in webhook_failures after the last attempt.
 */
export async function deliverNotice(db: Database, message: WebhookMessage, attempt: number, now: number): Promise<number | null> {
  const site = await findSite(db, message.site);
  if (!site?.webhookUrl || !site.webhookSecret) return null;
  const outcome = await sendNotice({ url: site.webhookUrl, secret: site.webhookSecret, notice: message.notice }, message.delivery);
  if (outcome.ok) return null;
  console.warn(`prospect webhook for ${message.site} ${outcome.error} (attempt ${attempt} of ${WEBHOOK_ATTEMPTS})`);
  if (attempt < WEBHOOK_ATTEMPTS) return webhookBackoff(attempt);
  await recordWebhookFailure(db, message.site, message.delivery, message.notice, attempt, outcome.error, now);
  return null;
}
