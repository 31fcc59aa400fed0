// In-memory stand-ins for the Queue bindings wrangler.toml declares: messages sent during an operation
// are kept, then delivered to the worker's queue handler batch by batch, each batch one measured
// invocation, as Cloudflare would run them (without waiting out delays: the bench never waits on the clock).
import { readFileSync } from "node:fs";

/** A message as sent, with the queue it went to. */
export interface Sent {
  queue: string;
  body: unknown;
  attempts: number;
}

/** Queue producer bindings and consumer batch sizes from wrangler.toml. */
export function queueConfig(toml = readFileSync("wrangler.toml", "utf8")): { producers: Record<string, string>; batchSize: Record<string, number> } {
  const producers: Record<string, string> = {};
  const batchSize: Record<string, number> = {};
  for (const section of toml.split(/^\s*\[\[/m).slice(1)) {
    const header = section.slice(0, section.indexOf("]"));
    const field = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*"?([^"\\n]+)"?`, "m").exec(section)?.[1]?.trim();
    const queue = field("queue");
    if (!queue) continue;
    if (header === "queues.producers") producers[field("binding") ?? queue] = queue;
    if (header === "queues.consumers") batchSize[queue] = Number(field("max_batch_size") ?? 10);
  }
  return { producers, batchSize };
}

/** Fake producers for `producers` (binding -> queue), all writing into `sent`. */
export function fakeQueues(producers: Record<string, string>, sent: Sent[]): Record<string, Queue> {
  return Object.fromEntries(
    Object.entries(producers).map(([binding, queue]) => [
      binding,
      {
        send: async (body: unknown) => void sent.push({ queue, body, attempts: 1 }),
        sendBatch: async (messages: Iterable<{ body: unknown }>) => {
          for (const m of messages) sent.push({ queue, body: m.body, attempts: 1 });
        },
      } as unknown as Queue,
    ]),
  );
}

let nextId = 0;

/**
 * A MessageBatch of `messages`; acked ones are dropped, retried ones go back onto `sent`. `settle` ends
 * the delivery as Cloudflare does: messages neither acked nor retried are acked when the handler
 * returned, retried when it threw.
 */
export function messageBatch(queue: string, messages: Sent[], sent: Sent[]): { batch: MessageBatch; settle: (failed: boolean) => void } {
  const settled = new Set<number>();
  const retry = (i: number) => {
    if (settled.has(i)) return;
    settled.add(i);
    const m = messages[i] as Sent;
    // A message retried too often is dropped, as a queue without a dead-letter queue would.
    if (m.attempts < 3) sent.push({ ...m, attempts: m.attempts + 1 });
  };
  const batch = {
    queue,
    messages: messages.map((m, i) => ({
      id: String(nextId++),
      timestamp: new Date(),
      body: m.body,
      attempts: m.attempts,
      ack: () => void settled.add(i),
      retry: () => retry(i),
    })),
    ackAll: () => messages.forEach((_, i) => settled.add(i)),
    retryAll: () => messages.forEach((_, i) => retry(i)),
  } as unknown as MessageBatch;
  const settle = (failed: boolean) => messages.forEach((_, i) => (failed ? retry(i) : settled.add(i)));
  return { batch, settle };
}

/** What kind of message a body is, for grouping the measurements: its `type` or `kind` field. */
export function messageKind(body: unknown): string {
  const b = body as { type?: unknown; kind?: unknown } | null;
  const kind = b?.type ?? b?.kind;
  return typeof kind === "string" ? kind : "message";
}

/**
 * A label for a message: for a job chunk, the job's kind and the phase its cursor is in (read from the
 * jobs table before the chunk runs, unmetered), so a daily run's sweep, list and purge chunks are
 * measured apart; otherwise its kind.
 */
export async function describeMessage(db: D1Database, body: unknown): Promise<string> {
  const kind = messageKind(body);
  const b = body as { site?: unknown; job?: unknown } | null;
  if (kind !== "job" || typeof b?.site !== "string" || typeof b.job !== "string") return `queue: ${kind} message`;
  const row = await db
    .prepare("SELECT kind, cursor FROM jobs WHERE site_id = ? AND id = ?")
    .bind(b.site, b.job)
    .first<{ kind: string; cursor: string | null }>()
    .catch(() => null);
  if (!row) return `queue: ${kind} message`;
  const phase = row.cursor ? (JSON.parse(row.cursor) as { phase?: unknown }).phase : "first";
  return typeof phase === "string" ? `queue: ${row.kind} job, ${phase} chunk` : `queue: ${row.kind} job chunk`;
}
