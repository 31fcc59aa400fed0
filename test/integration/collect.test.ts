import { describe, expect, it } from "vitest";
import { MAX_BEACON_BYTES } from "../../worker/routes/collect";
import { beaconBody, call, createSite, event, newId, ORIGIN, sendBeacon, tableCounts, track, visitor } from "../support/api";

const now = Date.now();
const good = (over: Record<string, unknown> = {}, ev: Record<string, unknown> = {}) => ({
  s: "acme",
  v: "visitor-0001",
  t: now,
  e: [{ i: "event-0001", n: "pageview", t: now, u: `${ORIGIN}/`, ...ev }],
  ...over,
});

describe("POST /e", () => {
  it("accepts a beacon, scores it and records where the visitor came from", async () => {
    await createSite();
    const res = await sendBeacon(
      good({}, { u: `${ORIGIN}/contact?utm_source=newsletter&utm_campaign=nov&email=x`, r: "https://news.example/" }),
    );
    expect(res.status).toBe(202);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const v = await visitor("acme", "visitor-0001");
    expect(v.score).toBe(6);
    expect(v.source).toEqual({ referrer: "https://news.example/", utm_source: "newsletter", utm_campaign: "nov" });
    // Query strings can carry personal data: only the path is kept.
    expect(v.recentEvents[0]?.path).toBe("/contact");
  });

  it.each([
    ["body that is not JSON", "{not json", 400],
    ["JSON that is not an object", "[1,2]", 400],
    ["empty body", "", 400],
    ["missing site", JSON.stringify(good({ s: undefined })), 400],
    ["visitor id too short", JSON.stringify(good({ v: "abc" })), 400],
    ["visitor id with a slash", JSON.stringify(good({ v: "visitor/0001" })), 400],
    ["sent time as a string", JSON.stringify(good({ t: String(now) })), 400],
    ["sent time in 1999", JSON.stringify(good({ t: Date.UTC(1999, 0, 1) })), 400],
    ["no events", JSON.stringify(good({ e: [] })), 400],
    ["events not an array", JSON.stringify(good({ e: {} })), 400],
    ["unknown event type", JSON.stringify(good({}, { n: "pricing_view" })), 400],
    ["event time not an integer", JSON.stringify(good({}, { t: now + 0.5 })), 400],
    ["page URL that is not http", JSON.stringify(good({}, { u: "javascript:alert(1)" })), 400],
    ["track without a name", JSON.stringify(good({}, { n: "track" })), 400],
    ["custom name that is reserved", JSON.stringify(good({}, { n: "track", c: "pageview" })), 400],
    ["name on a non-track event", JSON.stringify(good({}, { c: "signup" })), 400],
    ["identify with a bad email", JSON.stringify(good({}, { n: "identify", d: { email: "not-an-email" } })), 400],
    ["nested property", JSON.stringify(good({}, { d: { a: { b: 1 } } })), 400],
    ["unknown field", JSON.stringify(good({ x: 1 })), 400],
    ["unknown site", JSON.stringify(good({ s: "nobody" })), 404],
    ["21 events", JSON.stringify(good({ e: Array.from({ length: 21 }, (_, i) => ({ i: `event-${1000 + i}`, n: "pageview", t: now, u: `${ORIGIN}/` })) })), 413],
    ["a body over 16 KB", JSON.stringify(good()).padEnd(MAX_BEACON_BYTES + 1, " "), 413],
  ])("refuses %s with %i and changes nothing", async (_name, body, status) => {
    await createSite();
    const before = await tableCounts();
    const res = await sendBeacon(body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.message.length).toBeGreaterThan(5);
    expect(await tableCounts()).toEqual(before);
  });

  it.each([
    ["a foreign origin", "https://evil.example"],
    ["no origin", null],
  ])("refuses a beacon from %s with 403 and changes nothing", async (_name, origin) => {
    await createSite();
    const before = await tableCounts();
    const res = await sendBeacon(good(), origin);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(await tableCounts()).toEqual(before);
  });

  it("accepts subdomains of a wildcard origin, not the bare domain", async () => {
    await createSite("wild", undefined, { origins: ["https://*.example.org"] });
    expect((await sendBeacon(good({ s: "wild" }), "https://shop.example.org")).status).toBe(202);
    expect((await sendBeacon(good({ s: "wild", v: "visitor-0002" }), "https://example.org")).status).toBe(403);
  });

  it("accepts a body of exactly 16 KB and 20 events", async () => {
    await createSite();
    const body = good({ e: Array.from({ length: 20 }, (_, i) => ({ i: `event-${1000 + i}`, n: "pageview", t: now, u: `${ORIGIN}/` })) });
    const res = await sendBeacon(JSON.stringify(body).padEnd(MAX_BEACON_BYTES, " "));
    expect(res.status).toBe(202);
    expect((await visitor("acme", "visitor-0001")).score).toBe(20);
  });

  it("counts a retried beacon and a repeated id within a beacon once", async () => {
    await createSite();
    const body = beaconBody("acme", "visitor-0003", [event("pageview", "/contact"), event("video_play", "/")]);
    expect(await (await sendBeacon(body)).json()).toEqual({ accepted: 2, duplicates: 0 });
    const before = await tableCounts();
    expect(await (await sendBeacon(body)).json()).toEqual({ accepted: 0, duplicates: 2 });
    expect(await tableCounts()).toEqual(before);
    const e = event("pageview", "/");
    expect(await track("acme", "visitor-0003", e, { ...e }, event("pageview", "/"))).toEqual({ accepted: 2, duplicates: 1 });
    expect((await visitor("acme", "visitor-0003")).score).toBe(1 + 5 + 2 + 2);
  });

  it("corrects a client clock that is off by a day", async () => {
    await createSite();
    const skewed = Date.now() + 86_400_000;
    const v = newId("v");
    const res = await sendBeacon({ s: "acme", v, t: skewed, e: [{ i: newId(), n: "pageview", t: skewed - 60_000, u: `${ORIGIN}/` }] });
    expect(res.status).toBe(202);
    const { recentEvents } = (await visitor("acme", v)) as unknown as { recentEvents: { at: string }[] };
    const at = Date.parse(recentEvents[0]?.at ?? "");
    expect(Math.abs(at - (Date.now() - 60_000))).toBeLessThan(10_000);
  });
});

describe("location", () => {
  it("keeps the country the edge located a beacon in as the geo_country trait, which fit rules score", async () => {
    await createSite("acme", { prospectAt: 100, rules: [{ id: "iberia", points: 10, when: { trait: "geo_country", oneOf: ["ES", "PT"] } }] });
    const body = JSON.stringify(beaconBody("acme", "visitor-geo1", [event("pageview")]));
    const headers = { "content-type": "text/plain", origin: ORIGIN, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36" };
    const res = await call("/e", { method: "POST", headers, body, cf: { country: "ES" } } as RequestInit);
    expect(res.status).toBe(202);
    const v = (await visitor("acme", "visitor-geo1")) as unknown as { score: number; identity: { traits: Record<string, string> } };
    expect(v.identity.traits).toEqual({ geo_country: "ES" });
    expect(v.score).toBe(10);
  });

  it("refuses a client that sends the collector's own country property", async () => {
    await createSite();
    const res = await sendBeacon(beaconBody("acme", "visitor-geo2", [event("pageview", "/", 0, { d: { __country: "ES" } })]));
    expect(res.status).toBe(400);
  });
});
