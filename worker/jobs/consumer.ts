import type { JobKind } from "../../schema";
import { controlDatabase, databaseFor, type Database } from "../store/db";
import { StaleWrite } from "../store/guard";
import { ACTIVE, failJob, findJob } from "../store/jobs";
import { cronPage } from "./cron";
import { dailyStep } from "./daily";
import { enqueue, jobChunk, type JobChunkMessage, type JobMessage } from "./messages";
import { rescoreStep } from "./rescore";
import { sweepStep } from "./sweep";
import type { JobStep } from "./step";
import { deliverNotice } from "./webhook";

/**
 * Each kind's chunk, and how many chunks one message runs before handing on: a rescore chunk is sized to a
 * step's memory already; a daily or sweep chunk is one read and one small batch.
 */
const STEPS: Record<JobKind, { step: JobStep; perMessage: number }> = {
  rescore: { step: rescoreStep, perMessage: 1 },
  daily: { step: dailyStep, perMessage: 4 },
  sweep: { step: sweepStep, perMessage: 4 },
};

/** Seconds before a failed chunk's message is tried again. */
const CHUNK_RETRY_SECONDS = 10;
/**
 * Attempts of one chunk before its job is marked failed (below the queue's max_retries, so the job row
 * says why rather than the message silently going away).
 */
export const CHUNK_ATTEMPTS = 8;

/** Runs a job's next chunks from its recorded cursor, then enqueues the message for the rest. */
async function runJob(db: Database, queue: Queue, message: JobChunkMessage): Promise<void> {
  for (let i = 0, perMessage = 1; i < perMessage; i++) {
    const job = await findJob(db, message.site, message.job);
    if (!job || !(ACTIVE as readonly string[]).includes(job.status)) return;
    const kind = STEPS[job.kind];
    perMessage = kind.perMessage;
    try {
      if ((await kind.step(db, queue, job, Date.now())).done) return;
    } catch (err) {
      // The cursor moved under this chunk: another message (a duplicate, or the cron's restart) ran it
      // and carries the job on.
      if (err instanceof StaleWrite) return;
      throw err;
    }
  }
  await enqueue(queue, [jobChunk(message.site, message.job)]);
}

/**
 * Handles one queue message, in the database of the site it is about (see databaseFor); answers a delay to
 * retry it after, or null when it is finished with.
 */
export async function handleMessage(env: Env, body: JobMessage, attempt: number): Promise<number | null> {
  switch (body.kind) {
    case "job":
      await runJob(databaseFor(env, body.site), env.JOBS, body);
      return null;
    case "cron":
      await cronPage(controlDatabase(env), (site) => databaseFor(env, site), env.JOBS, body);
      return null;
    case "webhook":
      return deliverNotice(databaseFor(env, body.site), env, body, attempt, Date.now());
  }
}

/**
 * The leadscore-jobs consumer. A message that throws is retried after a delay, and resumes from the
 * cursor its job recorded; it never starts a job over.
 */
export async function consume(batch: MessageBatch<JobMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      const retryIn = await handleMessage(env, message.body, message.attempts);
      if (retryIn === null) message.ack();
      else message.retry({ delaySeconds: retryIn });
    } catch (err) {
      console.error(`queue message ${message.body.kind} failed (attempt ${message.attempts})`, err);
      const body = message.body;
      if (body.kind === "job" && message.attempts >= CHUNK_ATTEMPTS) {
        const db = databaseFor(env, body.site);
        const job = await findJob(db, body.site, body.job).catch(() => undefined);
        if (job) await failJob(db, job, `a chunk failed ${message.attempts} times; the last error is in the log`, Date.now()).catch(() => undefined);
        message.ack();
      } else {
        message.retry({ delaySeconds: CHUNK_RETRY_SECONDS });
      }
    }
  }
}
