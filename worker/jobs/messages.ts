import type { ProspectNotice } from "../ingest/webhook";

/** Run the next chunk of a job (a rescore or a site's daily run); the job row says what and from where. */
export interface JobChunkMessage {
  kind: "job";
  site: string;
  job: string;
}

/** The hourly cron's fan-out: one page of sites after `after` (by id), as of the run's time `now`. */
export interface CronPageMessage {
  kind: "cron";
  after: string | null;
  now: number;
}

/**
 * A prospect notice to deliver. The site's URL and signing key are read at delivery time, so no secret
 * travels through the queue; `delivery` is the same on every attempt, for the receiver to deduplicate.
 */
export interface WebhookMessage {
  kind: "webhook";
  site: string;
  delivery: string;
  notice: ProspectNotice;
}

/** Everything that travels through the leadscore-jobs queue. */
export type JobMessage = JobChunkMessage | CronPageMessage | WebhookMessage;

/** Cloudflare caps a sendBatch call at 100 messages. */
const SEND_BATCH = 100;

/** Enqueues messages, up to 100 per call. */
export async function enqueue(queue: Queue, messages: JobMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    const page = messages.slice(i, i + SEND_BATCH);
    if (page.length === 1) await queue.send(page[0]);
    else await queue.sendBatch(page.map((body) => ({ body })));
  }
}

/** The message that runs a job's next chunk. */
export const jobChunk = (site: string, job: string): JobChunkMessage => ({ kind: "job", site, job });
