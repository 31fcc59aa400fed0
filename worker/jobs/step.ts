import type { JobRow } from "../../schema";
import type { Database } from "../store/db";

/** What a chunk of a job did. */
export interface StepResult {
  /** The job has nothing left to do (or was superseded or failed). */
  done: boolean;
}

/**
 * One bounded chunk of a job: reads from the job's cursor, calls scoring, and writes its results and the
 * new cursor in one batch guarded by the cursor it read (see jobUnmoved). `queue` takes what the chunk
 * hands on (webhook notices).
 */
export type JobStep = (db: Database, queue: Queue, job: JobRow, now: number) => Promise<StepResult>;
