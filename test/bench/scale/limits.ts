// The Workers and D1 limits every measured invocation must stay inside (paid plan), with the margins
// issue 8 sets: half an isolate's 128 MB for the heap, and rows well under D1's 2 MB.
import type { D1Tally } from "./meter";

/** The limits one invocation (a request, a cron run, one queue batch) is held to. */
export const LIMITS = {
  heapMB: 64,
  queries: 1_000,
  cpuMs: 30_000,
  rowBytes: 1_000_000,
  params: 100,
} as const;

/** One measured invocation. */
export interface Invocation extends D1Tally {
  label: string;
  wallMs: number;
  /** CPU time of the whole Node process during the invocation (an upper bound of the isolate's). */
  cpuMs: number;
  /** Peak V8 heap in use above the baseline taken (after a full GC) just before the invocation. */
  heapMB: number;
  /** HTTP status, for requests. */
  status?: number;
  /** Set when the invocation threw (a cron run or queue batch that failed, a request the worker never answered). */
  error?: string;
}

/** The limits an invocation broke, in words; empty when it kept inside all of them. */
export function violations(i: Invocation): string[] {
  const out: string[] = [];
  if (i.heapMB > LIMITS.heapMB) out.push(`heap ${i.heapMB.toFixed(1)} MB > ${LIMITS.heapMB} MB`);
  if (i.queries > LIMITS.queries) out.push(`${i.queries} D1 queries > ${LIMITS.queries}`);
  if (i.cpuMs > LIMITS.cpuMs) out.push(`CPU ${Math.round(i.cpuMs)} ms > ${LIMITS.cpuMs} ms`);
  if (i.maxRowBytes > LIMITS.rowBytes) out.push(`a row of ${i.maxRowBytes} B > ${LIMITS.rowBytes} B`);
  if (i.maxParams > LIMITS.params) out.push(`${i.maxParams} bound params > ${LIMITS.params}`);
  if (i.status !== undefined && i.status >= 500) out.push(`answered ${i.status}`);
  if (i.error !== undefined) out.push(`failed: ${i.error}`);
  return out;
}
