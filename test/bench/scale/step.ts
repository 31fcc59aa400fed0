// One bench operation in a Node process of its own, started with --max-old-space-size=128 to stand in
// for a Worker isolate: the worker's real code (bundled) runs against Miniflare's D1 over the seeded
// database, and every invocation (request, cron run, queue batch) is measured on its own.
// Usage (bundled): node --max-old-space-size=128 --expose-gc step.mjs '<json StepInput>'
import { timingSafeEqual } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import worker from "../../../worker/index";
import { benchMiniflare } from "./d1-file";
import { violations, type Invocation } from "./limits";
import { emptyTally, meteredD1, type D1Tally } from "./meter";
import { operations, type OperationContext } from "./operations";
import { describeMessage, fakeQueues, messageBatch, queueConfig, type Sent } from "./queues";

/** What the parent asks of one step. */
export interface StepInput {
  persistDir: string;
  op: string;
  leads: number;
  port: number;
  /** When the database was seeded: the time its data is as of. */
  seededAt: number;
  perPhase: number;
}

/** What a step answers: every invocation, grouped by label. */
export interface StepOutput {
  op: string;
  invocations: Summary[];
  notes: Record<string, string | number>;
}

/** Invocations of one label: the worst of each figure, and totals. */
export interface Summary extends Invocation {
  count: number;
  totalWallMs: number;
  totalRowsRead: number;
  totalRowsWritten: number;
  violations: string[];
}

const BENCH_TOKEN = "bench-token";

// Workers' crypto.subtle has timingSafeEqual (the API token check uses it); Node's has not.
const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView | ArrayBuffer, b: ArrayBufferView | ArrayBuffer) => boolean };
subtle.timingSafeEqual ??= (a, b) => {
  const view = (x: ArrayBufferView | ArrayBuffer) => (ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x));
  return timingSafeEqual(view(a), view(b));
};

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc ?? (setFlagsFromString("--expose-gc"), runInNewContext("gc") as () => void);
  gc();
  gc();
}

function summarize(all: Invocation[]): Summary[] {
  const byLabel = new Map<string, Summary>();
  for (const i of all) {
    const found = byLabel.get(i.label);
    const broken = violations(i);
    if (!found) {
      byLabel.set(i.label, { ...i, count: 1, totalWallMs: i.wallMs, totalRowsRead: i.rowsRead, totalRowsWritten: i.rowsWritten, violations: broken });
      continue;
    }
    found.count += 1;
    found.totalWallMs += i.wallMs;
    found.totalRowsRead += i.rowsRead;
    found.totalRowsWritten += i.rowsWritten;
    for (const key of ["wallMs", "cpuMs", "heapMB", "calls", "queries", "rowsRead", "rowsWritten", "maxParams", "maxRowBytes"] as const) {
      found[key] = Math.max(found[key], i[key]);
    }
    if (i.status !== undefined) found.status = Math.max(found.status ?? 0, i.status);
    for (const v of broken) if (!found.violations.includes(v)) found.violations.push(v);
  }
  return [...byLabel.values()];
}

async function main(input: StepInput): Promise<StepOutput> {
  const mf = benchMiniflare(input.persistDir, input.port);
  const raw = await mf.getD1Database("DB");
  let tally: D1Tally = emptyTally();
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const { producers, batchSize } = queueConfig();
  const sent: Sent[] = [];
  const env = {
    DB: meteredD1(raw as unknown as D1Database, () => tally, { afterCall: sample }),
    API_TOKEN: BENCH_TOKEN,
    SITE_RATE_LIMIT: { limit: async () => ({ success: true }) },
    ...fakeQueues(producers, sent),
  } as unknown as Env;
  const invocations: Invocation[] = [];
  const notes: Record<string, string | number> = {};

  const invoke = async <T>(label: string, run: (ctx: ExecutionContext) => Promise<T>): Promise<T> => {
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    peak = baseline;
    tally = emptyTally();
    const timer = setInterval(sample, 2);
    const cpu = process.cpuUsage();
    const started = performance.now();
    let error: string | undefined;
    try {
      const result = await run(ctx);
      await Promise.allSettled(pending);
      return result;
    } catch (err) {
      error = String(err instanceof Error ? err.message : err).split("\n")[0]?.slice(0, 160);
      throw err;
    } finally {
      sample();
      clearInterval(timer);
      const used = process.cpuUsage(cpu);
      invocations.push({
        label,
        wallMs: performance.now() - started,
        cpuMs: (used.user + used.system) / 1000,
        heapMB: (peak - baseline) / 1024 / 1024,
        ...tally,
        ...(error === undefined ? {} : { error }),
      });
    }
  };

  const drain: OperationContext["drain"] = async (prefix, { perLabel = Number.POSITIVE_INFINITY, whenFull } = {}) => {
    const delivered = new Map<string, number>();
    while (sent.length > 0) {
      const queue = (sent[0] as Sent).queue;
      const size = batchSize[queue] ?? 10;
      const taken: Sent[] = [];
      for (let i = 0; i < sent.length && taken.length < size; ) {
        if ((sent[i] as Sent).queue === queue) taken.push(...sent.splice(i, 1));
        else i += 1;
      }
      const describe = async () => [...new Set(await Promise.all(taken.map((m) => describeMessage(raw as unknown as D1Database, m.body))))].join("+");
      let kinds = await describe();
      if ((delivered.get(kinds) ?? 0) >= perLabel) {
        // Enough of this kind measured: the operation moves the job on, or the bench leaves the message
        // undelivered (its job stops there) and goes on with the others.
        const moved = whenFull ? await whenFull(taken.map((m) => m.body), kinds) : false;
        if (!moved) {
          notes[`stopped ${kinds}`] = `after ${perLabel} batches`;
          continue;
        }
        kinds = await describe();
      }
      delivered.set(kinds, (delivered.get(kinds) ?? 0) + 1);
      const { batch, settle } = messageBatch(queue, taken, sent);
      try {
        await invoke(`${prefix}${kinds}`, (ctx) => (worker as ExportedHandler<Env>).queue?.(batch, env, ctx) ?? Promise.reject(new Error("the worker has no queue handler")));
        settle(false);
      } catch (err) {
        settle(true);
        notes[`failed ${kinds}`] = String(err).slice(0, 200);
      }
    }
  };

  const context: OperationContext = {
    leads: input.leads,
    seededAt: input.seededAt,
    perPhase: input.perPhase,
    raw: raw as unknown as D1Database,
    env,
    notes,
    request: async (label, method, path, body) => {
      let status = 0;
      const response = await invoke(label, async (ctx) => {
        const res = await (worker as ExportedHandler<Env>).fetch?.(
          new Request(`https://collector.example${path}`, {
            method,
            headers: {
              authorization: `Bearer ${BENCH_TOKEN}`,
              "content-type": path === "/e" ? "text/plain" : "application/json",
              origin: "https://bench.example",
              "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          }) as Request<unknown, IncomingRequestCfProperties>,
          env,
          ctx,
        );
        if (!res) throw new Error("the worker answered nothing");
        const text = await res.text();
        status = res.status;
        return { status: res.status, text };
      });
      (invocations.at(-1) as Invocation).status = status;
      return response;
    },
    scheduled: (label, at) =>
      invoke(label, async (ctx) => {
        await (worker as ExportedHandler<Env>).scheduled?.({ scheduledTime: at, cron: "0 * * * *", noRetry: () => {} } as ScheduledController, env, ctx);
      }),
    drain,
  };

  const operation = operations.find((o) => o.id === input.op);
  if (!operation) throw new Error(`no bench operation ${input.op}`);
  try {
    await operation.run(context);
  } catch (err) {
    notes.error = String(err instanceof Error ? err.message : err).slice(0, 300);
  } finally {
    await mf.dispose();
  }
  return { op: input.op, invocations: summarize(invocations), notes };
}

if (process.argv[2] === "--list") console.log(`OPS ${JSON.stringify(operations.map((o) => o.id))}`);
else console.log(`STEP ${JSON.stringify(await main(JSON.parse(process.argv[2] as string) as StepInput))}`);
