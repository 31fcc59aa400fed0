import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../worker/index";
import type { JobMessage } from "../../worker/jobs/messages";
import { meteredD1, type RowMeter } from "./metered-d1";

/** A message the worker put on the JOBS queue, as the test holds it until it is delivered. */
export interface Queued {
  body: JobMessage;
  attempts: number;
  /** The delay the consumer asked for when it retried this message (recorded, never waited for). */
  delaySeconds?: number;
}

/** What draining the queue did. */
export interface Drained {
  delivered: { body: JobMessage; attempts: number; outcome: "ack" | "retry"; delaySeconds?: number }[];
}

/**
 * Holds every message the worker sends to JOBS in an array instead of letting miniflare deliver it on its
 * own schedule, so a test decides when each message runs (the worker runs in this isolate, with this env).
 */
export function captureQueue(): Queued[] {
  const queued: Queued[] = [];
  vi.spyOn(env.JOBS, "send").mockImplementation(async (body: unknown) => {
    queued.push({ body: structuredClone(body) as JobMessage, attempts: 1 });
    // The worker never reads the send's metadata (backlog metrics).
    return {} as QueueSendResponse;
  });
  vi.spyOn(env.JOBS, "sendBatch").mockImplementation(async (messages: Iterable<MessageSendRequest>) => {
    for (const m of messages) queued.push({ body: structuredClone(m.body) as JobMessage, attempts: 1 });
    return {} as QueueSendBatchResponse;
  });
  return queued;
}

export interface DrainOptions {
  /** The D1 binding the consumer sees for the nth delivery (1-based), e.g. a failing or metered one. */
  db?: (delivery: number, body: JobMessage) => D1Database;
  /** Stop after this many deliveries (a runaway chain fails the test instead of hanging it). */
  maxDeliveries?: number;
  /** Deliver only this many, leaving the rest queued (to act between chunks). */
  only?: number;
}

/**
 * Delivers the held messages one at a time, first in first out, through the worker's queue handler, as the
 * consumer (max_batch_size = 1) does, until none is left. A retried message goes to the back with one more
 * attempt; its delay is recorded, not waited for.
 */
export async function drainQueue(queued: Queued[], options: DrainOptions = {}): Promise<Drained> {
  const drained: Drained = { delivered: [] };
  const max = options.maxDeliveries ?? 10_000;
  while (queued.length > 0 && drained.delivered.length < (options.only ?? Infinity)) {
    if (drained.delivered.length >= max) throw new Error(`the queue still held ${queued.length} messages after ${max} deliveries`);
    const next = queued.shift() as Queued;
    const delivery = drained.delivered.length + 1;
    const batch = createMessageBatch<JobMessage>("leadscore-jobs", [
      { id: `m${delivery}`, timestamp: new Date(), attempts: next.attempts, body: next.body },
    ]);
    // The test runtime's queue result does not keep the delay a retry asks for, so it is read off the call.
    let asked: QueueRetryOptions | undefined;
    const message = batch.messages[0] as Message<JobMessage>;
    const retryCall = message.retry.bind(message);
    vi.spyOn(message, "retry").mockImplementation((options?: QueueRetryOptions) => {
      asked = options;
      retryCall(options);
    });
    const ctx = createExecutionContext();
    const DB = options.db?.(delivery, next.body) ?? env.DB;
    await worker.queue(batch, { ...env, DB });
    const result = await getQueueResult(batch, ctx);
    const retry = result.retryMessages[0];
    if (retry || result.retryBatch.retry) {
      const delaySeconds = asked?.delaySeconds ?? retry?.delaySeconds ?? result.retryBatch.delaySeconds;
      drained.delivered.push({ body: next.body, attempts: next.attempts, outcome: "retry", delaySeconds });
      queued.push({ body: next.body, attempts: next.attempts + 1, delaySeconds });
    } else {
      drained.delivered.push({ body: next.body, attempts: next.attempts, outcome: "ack" });
    }
  }
  return drained;
}

/** drainQueue with D1 metered per delivery: one meter for each message the consumer handled. */
export async function drainMetered(queued: Queued[]): Promise<{ drained: Drained; meters: RowMeter[] }> {
  const meters: RowMeter[] = [];
  const drained = await drainQueue(queued, {
    db: () => {
      const meter: RowMeter = { read: 0, written: 0, statements: 0 };
      meters.push(meter);
      return meteredD1(env.DB, meter);
    },
  });
  return { drained, meters };
}
