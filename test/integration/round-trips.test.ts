import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/index";
import { clearIsolateCaches, forgetSite } from "../../worker/store/isolate-cache";
import { sha256Hex } from "../../worker/lib/hash";
import { beaconBody, CHROME_UA, createSite, event, ORIGIN, visitor } from "../support/api";

/** A D1 database that counts calls that go to D1 (each batch, and each statement run on its own), and statements. */
function countingD1(db: D1Database, calls: { n: number; statements: number }): D1Database {
  const counted = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, key) {
        if (key === "bind") return (...values: unknown[]) => counted(target.bind(...values));
        const value = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        if (key === "run" || key === "all" || key === "first" || key === "raw") (calls.n += 1), (calls.statements += 1);
        return value.bind(target);
      },
    });
  return new Proxy(db, {
    get(target, key) {
      if (key === "batch") return (statements: D1PreparedStatement[]) => ((calls.n += 1), (calls.statements += statements.length), target.batch(statements));
      if (key === "prepare") return (query: string) => counted(target.prepare(query));
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function beacon(visitorId: string, events: ReturnType<typeof event>[]): Promise<{ status: number; calls: number; statements: number; body: unknown }> {
  const calls = { n: 0, statements: 0 };
  const request = new Request("https://collector.test/e", {
    method: "POST",
    headers: { "content-type": "text/plain", origin: ORIGIN, "user-agent": CHROME_UA },
    body: JSON.stringify(beaconBody("acme", visitorId, events)),
  });
  const res = await app.fetch(request, { ...env, DB: countingD1(env.DB, calls) }, { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext);
  return { status: res.status, calls: calls.n, statements: calls.statements, body: await res.json() };
}

describe("D1 round trips per beacon", () => {
  it("is one for a known visitor and for a new one once the isolate knows the site; two from cold", async () => {
    await createSite();
    clearIsolateCaches();
    const cold = await beacon("visitor-0001", [event("pageview", "/")]);
    expect(cold).toMatchObject({ status: 202, calls: 2 });
    expect(await beacon("visitor-0001", [event("pageview", "/contact")])).toMatchObject({ status: 202, calls: 1 });
    expect(await beacon("visitor-0002", [event("pageview", "/")])).toMatchObject({ status: 202, calls: 1 });
    expect((await visitor("acme", "visitor-0001")).score).toBe(1 + 1 + 5);
  });

  it("falls back to reading when a guess was wrong: a retried event id, or a visitor another isolate wrote", async () => {
    await createSite();
    const first = event("pageview", "/");
    await beacon("visitor-0001", [first]);
    // The same event again: its insert fails on the key, the read finds it, and it counts once.
    expect(await beacon("visitor-0001", [first])).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 1 } });
    // A write this isolate did not see (another isolate's): the guard trips on the version and it reads.
    await env.DB.prepare("UPDATE visitors SET version = version + 1 WHERE site_id = 'acme' AND id = 'visitor-0001'").run();
    const after = await beacon("visitor-0001", [event("pageview", "/contact")]);
    expect(after).toMatchObject({ status: 202, calls: 3, body: { accepted: 1, duplicates: 0 } });
    expect((await visitor("acme", "visitor-0001")).score).toBe(1 + 1 + 5);
    // A returning visitor this isolate never saw is guessed new: the guard finds the row, and it reads.
    clearIsolateCaches();
    await beacon("visitor-0009", [event("pageview", "/")]);
    clearIsolateCaches();
    await beacon("visitor-0002", [event("pageview", "/")]);
    expect(await beacon("visitor-0009", [event("pageview", "/")])).toMatchObject({ status: 202, calls: 3 });
    expect((await visitor("acme", "visitor-0009")).score).toBe(2);
  });

  it("stores a full beacon (20 events, two inserts) in one round trip, the guard riding on the first insert", async () => {
    await createSite();
    await beacon("visitor-0001", [event("pageview", "/")]);
    const events = Array.from({ length: 20 }, (_, i) => event("pageview", `/page-${i}`));
    expect(await beacon("visitor-0001", events)).toMatchObject({ status: 202, calls: 1, body: { accepted: 20, duplicates: 0 } });
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE site_id = 'acme' AND visitor_id = 'visitor-0001'").first<{ n: number }>();
    expect(stored?.n).toBe(21);
  });

  it("writes nothing from a cached start once another isolate erased the visitor: the guard trips on the tombstone and the read finds it", async () => {
    await createSite();
    await beacon("visitor-0001", [event("pageview", "/")]);
    // The tombstone alone (the rows still there), as an erasure landing between this isolate's writes.
    await env.DB.prepare("INSERT INTO erased_visitors (site_id, visitor_hash, erased_at) VALUES ('acme', ?, ?)").bind(await sha256Hex("visitor-0001"), Date.now()).run();
    const events = Array.from({ length: 12 }, (_, i) => event("pageview", `/page-${i}`));
    expect(await beacon("visitor-0001", events)).toMatchObject({ status: 202, calls: 2, body: { accepted: 0, ignored: "erased" } });
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE site_id = 'acme' AND visitor_id = 'visitor-0001'").first<{ n: number }>();
    expect(stored?.n).toBe(1);
  });

  it("reads the site alone again once its cached copy lapsed, for a lead the isolate knows: the guard checks the rest", async () => {
    await createSite();
    clearIsolateCaches();
    expect(await beacon("visitor-0001", [event("pageview", "/")])).toMatchObject({ status: 202, calls: 2, statements: 7 });
    // As when SITE_TTL_MS has passed: the site is no longer cached, the lead still is.
    forgetSite("acme");
    expect(await beacon("visitor-0001", [event("pageview", "/contact")])).toMatchObject({ status: 202, calls: 2, statements: 3 });
    // A visitor the isolate never wrote is read in full with the site, as from cold.
    forgetSite("acme");
    expect(await beacon("visitor-0002", [event("pageview", "/")])).toMatchObject({ status: 202, calls: 2, statements: 7 });
    expect((await visitor("acme", "visitor-0001")).score).toBe(1 + 1 + 5);
  });
});
