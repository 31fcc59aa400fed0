import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketOf, takeVisitorEvents, type StoredBucket } from "../../worker/ingest/visitor-limit";

const PER_MINUTE = 120;

/** Sends batches at the given times through the bucket; returns the accepted events' times. */
function run(batches: { at: number; n: number }[]): number[] {
  let stored: StoredBucket | undefined;
  const accepted: number[] = [];
  for (const { at, n } of batches) {
    const result = takeVisitorEvents(stored, n, at, PER_MINUTE);
    if (!result.ok) continue;
    stored = { windowStart: result.windowStart, windowEvents: result.windowEvents };
    for (let i = 0; i < n; i++) accepted.push(at);
  }
  return accepted;
}

describe("the per-visitor bucket", () => {
  it("takes at most the limit in any 60-second span, wherever it starts", () => {
    const batches = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 5_000 }), n: fc.integer({ min: 1, max: 20 }) }), { maxLength: 400 });
    fc.assert(
      fc.property(batches, (raw) => {
        let t = Date.UTC(2026, 10, 23, 10, 0, 0);
        const accepted = run(raw.map(({ gap, n }) => ({ at: (t += gap), n })));
        for (let i = 0, j = 0; i < accepted.length; i++) {
          while ((accepted[i] as number) - (accepted[j] as number) >= 60_000) j++;
          expect(i - j + 1).toBeLessThanOrEqual(PER_MINUTE);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never refuses a visitor who sends at the steady rate, one event a second", () => {
    const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);
    expect(run(Array.from({ length: 600 }, (_, i) => ({ at: t0 + i * 1000, n: 1 })))).toHaveLength(600);
  });

  it("takes a full outbox at once (50 events, in beacons of 20)", () => {
    const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);
    expect(run([{ at: t0, n: 20 }, { at: t0, n: 20 }, { at: t0, n: 10 }])).toHaveLength(50);
  });

  it("says how long until the batch fits", () => {
    const { capacity, drainMs } = bucketOf(PER_MINUTE);
    const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);
    const full = takeVisitorEvents(undefined, capacity, t0, PER_MINUTE);
    expect(full).toEqual({ ok: true, windowStart: t0, windowEvents: capacity });
    const stored = full as StoredBucket;
    expect(takeVisitorEvents(stored, 20, t0 + 500, PER_MINUTE)).toEqual({ ok: false, retryAfterSeconds: Math.ceil((20 * drainMs - 500) / 1000) });
    expect(takeVisitorEvents(stored, 20, t0 + 20 * drainMs, PER_MINUTE)).toMatchObject({ ok: true, windowEvents: capacity });
  });

  it("leaves the stored bucket alone when no limit applies (the token-authenticated API)", () => {
    expect(takeVisitorEvents({ windowStart: 5, windowEvents: 7 }, 100, 10_000, undefined)).toEqual({ ok: true, windowStart: 5, windowEvents: 7 });
  });
});
