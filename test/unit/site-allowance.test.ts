import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BEACONS_PER_TICKET, REFUSAL_TTL_MS, spendSiteBeacon, TICKET_TTL_MS } from "../../worker/ingest/site-allowance";

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

/** A rate-limit binding that counts its calls and allows `allow` of them (all if not given). */
function binding(allow = Infinity): RateLimit & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    limit: async ({ key }) => {
      calls.push(key);
      return { success: calls.length <= allow };
    },
  };
}

async function spend(b: RateLimit, site: string, at: number, n: number): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (let i = 0; i < n; i++) answers.push(await spendSiteBeacon(b, site, at));
  return answers;
}

describe("the site allowance, bought in tickets", () => {
  it("pays one binding call for each BEACONS_PER_TICKET beacons of a site", async () => {
    const b = binding();
    expect(await spend(b, "acme", T0, BEACONS_PER_TICKET)).toEqual(Array(BEACONS_PER_TICKET).fill(true));
    expect(b.calls).toEqual(["acme"]);
    expect(await spendSiteBeacon(b, "acme", T0)).toBe(true);
    expect(b.calls).toEqual(["acme", "acme"]);
  });

  it("keeps each site's tickets apart", async () => {
    const b = binding();
    await spend(b, "acme", T0, 3);
    await spend(b, "shop", T0, 3);
    expect(b.calls).toEqual(["acme", "shop"]);
  });

  it("lets a ticket lapse after the binding's period, leftover beacons and all", async () => {
    const b = binding();
    await spendSiteBeacon(b, "acme", T0);
    await spendSiteBeacon(b, "acme", T0 + TICKET_TTL_MS - 1);
    expect(b.calls).toHaveLength(1);
    await spendSiteBeacon(b, "acme", T0 + TICKET_TTL_MS);
    expect(b.calls).toHaveLength(2);
  });

  it("refuses the site's beacons for a second after the binding refuses, then asks again", async () => {
    const b = binding(1);
    await spend(b, "acme", T0, BEACONS_PER_TICKET);
    expect(await spend(b, "acme", T0 + 1, 5)).toEqual([false, false, false, false, false]);
    expect(b.calls).toHaveLength(2);
    expect(await spendSiteBeacon(b, "acme", T0 + 1 + REFUSAL_TTL_MS)).toBe(false);
    expect(b.calls).toHaveLength(3);
  });

  it("buys nothing when the binding fails: the next beacon asks again", async () => {
    let fail = true;
    const calls: string[] = [];
    const flaky: RateLimit = {
      limit: async ({ key }) => {
        calls.push(key);
        if (fail) throw new Error("binding unavailable");
        return { success: true };
      },
    };
    await expect(spendSiteBeacon(flaky, "acme", T0)).rejects.toThrow("binding unavailable");
    fail = false;
    expect(await spendSiteBeacon(flaky, "acme", T0)).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it("never lets through more than BEACONS_PER_TICKET beacons per call the binding counted", async () => {
    // Beacons of a few sites at random times, some at once and some in turn: whatever the pattern, the calls the binding saw
    // pay for every beacon let through, so a limit set in tickets bounds the beacons.
    const arrivals = fc.array(
      fc.record({ site: fc.constantFrom("a", "b", "c"), gap: fc.integer({ min: 0, max: 3_000 }), together: fc.integer({ min: 1, max: 5 }), inTurn: fc.integer({ min: 1, max: 30 }) }),
      { maxLength: 60 },
    );
    await fc.assert(
      fc.asyncProperty(arrivals, async (raw) => {
        const b = binding();
        let t = T0;
        const passed = new Map<string, number>();
        for (const { site, gap, together, inTurn } of raw) {
          t += gap;
          // `together` senders at once, each sending `inTurn` beacons one after another.
          const answers = await Promise.all(Array.from({ length: together }, () => spend(b, site, t, inTurn)));
          passed.set(site, (passed.get(site) ?? 0) + answers.flat().filter(Boolean).length);
        }
        for (const [site, n] of passed) expect(n).toBeLessThanOrEqual(b.calls.filter((k) => k === site).length * BEACONS_PER_TICKET);
      }),
      { numRuns: 200 },
    );
  });
});
