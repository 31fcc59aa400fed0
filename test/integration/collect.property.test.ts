import { env } from "cloudflare:workers";
import fc from "fast-check";
import { expect, it } from "vitest";
import { app } from "../../worker/index";
import { CHROME_UA, createSite, ORIGIN, tableCounts } from "../support/api";
import { meteredD1, type RowMeter } from "../support/metered-d1";

const SITE = "fuzz";
const now = Date.now();

const id = fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/);
const validEvent = fc.record({
  i: id,
  n: fc.constantFrom("pageview", "video_play", "download"),
  t: fc.integer({ min: now - 3_600_000, max: now }),
  u: fc.constantFrom("/", "/pricing", "/contact", "/docs/a?utm_source=x", "/files/a.pdf").map((p) => `${ORIGIN}${p}`),
});
const validBeacon = fc.record({
  s: fc.constant(SITE),
  // Many visitors, so the per-visitor rate limit (tested on its own) rarely decides the answer.
  v: id,
  t: fc.constant(now),
  e: fc.array(validEvent, { minLength: 1, maxLength: 5 }),
});

type Json = Record<string, unknown>;
const junk = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.string({ maxLength: 3000 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, "", "__proto__", "=cmd|' /C calc'!A0", "\u0000", "https://evil.example/", -1, 2 ** 53, Date.UTC(2101, 0, 1)),
);
const field = fc.constantFrom("s", "v", "t", "e", "x");
const eventField = fc.constantFrom("i", "n", "t", "u", "r", "c", "d", "zz");

/** One random change to a beacon: a field replaced, dropped or added, at the top or in an event. */
const mutation = fc.oneof(
  fc.tuple(field, junk).map(([k, v]) => (b: Json) => ({ ...b, [k]: v })),
  field.map((k) => (b: Json) => Object.fromEntries(Object.entries(b).filter(([key]) => key !== k))),
  fc.tuple(eventField, junk).map(([k, v]) => (b: Json) => ({ ...b, e: Array.isArray(b.e) ? b.e.map((e: Json, i: number) => (i === 0 ? { ...e, [k]: v } : e)) : b.e })),
  fc.integer({ min: 15, max: 40 }).map((n) => (b: Json) => ({ ...b, e: Array.from({ length: n }, () => (Array.isArray(b.e) ? b.e[0] : b.e)) })),
);

/** The body as sent: the (mutated) beacon as JSON, sometimes cut short or padded past the size limit. */
const payload = fc
  .tuple(
    validBeacon,
    fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    fc.constantFrom("whole", "whole", "whole", "whole", "whole", "whole", "cut", "cut", "padded"),
    fc.nat(),
  )
  .map(([beacon, mutations, shape, at]) => {
    const text = JSON.stringify(mutations.reduce((b: Json, m) => m(b), beacon));
    if (shape === "cut") return text.slice(0, at % Math.max(text.length, 1));
    if (shape === "padded") return text.padEnd(17_000, " ");
    return text;
  });

it("answers 10,000 generated beacons without a 5xx, and a 4xx never changes a row", { timeout: 300_000 }, async () => {
  await createSite(SITE, undefined, { origins: [ORIGIN] });
  // D1 reports the rows each statement writes, so "no row changed" is checked on every beacon without an
  // extra query; the table counts confirm it at the end.
  const meter: RowMeter = { read: 0, written: 0, statements: 0, unmetered: 0 };
  const metered = { ...env, DB: meteredD1(env.DB, meter) };
  const statuses = new Map<number, number>();
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(payload, async (body) => {
      const before = { written: meter.written, unmetered: meter.unmetered };
      const request = new Request("https://collector.test/e", {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, "user-agent": CHROME_UA },
        body,
      });
      const res = await app.fetch(request, metered);
      if (res.status === 202) accepted += ((await res.json()) as { accepted: number }).accepted;
      else await res.body?.cancel();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        expect(meter.written).toBe(before.written);
        expect(meter.unmetered).toBe(before.unmetered);
      }
    }),
    { numRuns: 10_000 },
  );
  // Every stored event is one a 202 counted as accepted: nothing slipped in on a refused beacon.
  expect((await tableCounts()).events).toBe(accepted);
  // The generator must reach both sides: stored beacons and refused ones.
  expect(statuses.get(202) ?? 0).toBeGreaterThan(500);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(500);
  expect(statuses.get(413) ?? 0).toBeGreaterThan(100);
});
