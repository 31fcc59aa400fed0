// The scale bench's harness at a tiny scale, so it cannot rot between bench runs: seeding, the metered
// D1, every operation in its own 128 MB process, and the limits check.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runScaleBench } from "../bench/scale/harness.ts";
import { LIMITS, violations, type Invocation } from "../bench/scale/limits.ts";

const cacheDir = mkdtempSync(join(tmpdir(), "leadscore-scale-test-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

it("seeds 200 leads and measures every operation, each inside the limits", { timeout: 300_000 }, async () => {
  const [result] = await runScaleBench({ scales: [200], cacheDir, port: 8824, log: () => {} });
  if (!result) throw new Error("no result");
  expect(result.leads).toBe(200);
  // One in ten leads has a second visitor id, one in fifty a third; about ten events each.
  expect(result.visitors).toBe(224);
  expect(result.events).toBeGreaterThan(1_500);
  expect(result.bytesPerEvent).toBeGreaterThan(0);
  for (const step of result.steps) {
    expect(step.notes.failed, step.op).toBeUndefined();
    // Every operation asks D1 for something (a cron run may only enqueue; its batches do the work).
    expect(step.invocations.some((i) => i.calls > 0 && i.rowsRead > 0), step.op).toBe(true);
    // At this size every operation keeps inside every limit; one that does not is unbounded somewhere.
    for (const i of step.invocations) expect(i.violations, `${step.op}: ${i.label}`).toEqual([]);
  }
  const visitor = result.steps.find((s) => s.op === "visitor");
  expect(visitor?.notes.visitorIds).toBe(3);
});

it("names every limit an invocation breaks", () => {
  const within: Invocation = { label: "x", wallMs: 1, cpuMs: 1, heapMB: 1, calls: 1, queries: 1, rowsRead: 1, rowsWritten: 1, maxParams: 1, maxRowBytes: 1, status: 200 };
  expect(violations(within)).toEqual([]);
  const broken = violations({ ...within, heapMB: LIMITS.heapMB + 1, queries: LIMITS.queries + 1, cpuMs: LIMITS.cpuMs + 1, maxRowBytes: LIMITS.rowBytes + 1, maxParams: LIMITS.params + 1, status: 503 });
  expect(broken).toHaveLength(6);
});
