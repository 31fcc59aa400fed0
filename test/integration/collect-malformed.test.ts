import { describe, expect, it } from "vitest";
import { MAX_BEACON_BYTES, MAX_BEACON_EVENTS, MAX_PATH_LENGTH } from "../../worker/routes/collect";
import { call, CHROME_UA, createSite, ORIGIN, sendBeacon, tableCounts } from "../support/api";

const now = Date.now();
const ev = (over: Record<string, unknown> = {}) => ({ i: "event-0001", n: "pageview", t: now, u: `${ORIGIN}/`, ...over });
const good = (over: Record<string, unknown> = {}, event: Record<string, unknown> = {}) => ({ s: "acme", v: "visitor-0001", t: now, e: [ev(event)], ...over });
const json = (value: unknown) => JSON.stringify(value);
const events = (n: number) => Array.from({ length: n }, (_, i) => ev({ i: `event-${1000 + i}` }));
const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]));
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
/** An http URL on the site whose path, once the URL is normalised (é becomes %C3%A9), is `length` characters. */
const encodedPathUrl = (length: number) => `${ORIGIN}/${"é".repeat(333)}${"a".repeat(length - 1 - 333 * 6)}`;
/** An email address of exactly `length` characters. */
const emailOf = (length: number) => `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(length - 64 - 1 - 128 - 4)}.com`;

// Each of these is malformed in one way; the collector must answer its 4xx in the error envelope and
// leave every table as it was. (collect.test.ts has 22 more.)
const malformed: [string, string | Uint8Array, number][] = [
  ["JSON null", "null", 400],
  ["a JSON string", json("beacon"), 400],
  ["a JSON number", "123", 400],
  ["NaN, which JSON does not have", `{"s":"acme","v":"visitor-0001","t":NaN,"e":[]}`, 400],
  ["trailing garbage after the JSON", `${json(good())}}}`, 400],
  ["bytes that are not UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400],
  ["a lone surrogate in a property", `{"s":"acme","v":"visitor-0001","t":${now},"e":[{"i":"event-0001","n":"pageview","t":${now},"u":"${ORIGIN}/","d":{"a":"\\udc00x"}}]}`, 400],
  ["arrays nested 5,000 deep", deep(5000), 400],
  ["junk nested in the events", json(good({ e: [[[[{ i: "event-0001" }]]]] })), 400],
  ["site id as a number", json(good({ s: 42 })), 400],
  ["site id with capitals", json(good({ s: "Acme" })), 400],
  ["site id of 64 characters", json(good({ s: "a".repeat(64) })), 400],
  ["no visitor id", json(good({ v: undefined })), 400],
  ["visitor id of 65 characters", json(good({ v: "v".repeat(65) })), 400],
  ["visitor id as an array", json(good({ v: ["visitor-0001"] })), 400],
  ["visitor id with non-ASCII letters", json(good({ v: "visitör-0001" })), 400],
  ["no sent time", json(good({ t: undefined })), 400],
  ["sent time in 2101", json(good({ t: Date.UTC(2101, 0, 1) })), 400],
  ["a negative sent time", json(good({ t: -1 })), 400],
  ["a sent time too large for a double", `{"s":"acme","v":"visitor-0001","t":1e400,"e":[${json(ev())}]}`, 400],
  ["events as null", json(good({ e: null })), 400],
  ["an event that is a string", json(good({ e: ["pageview"] })), 400],
  ["an event without an id", json(good({}, { i: undefined })), 400],
  ["an event id of 7 characters", json(good({}, { i: "event-1" })), 400],
  ["an event without a type", json(good({}, { n: undefined })), 400],
  ["an event type as a number", json(good({}, { n: 1 })), 400],
  ["an event type in capitals", json(good({}, { n: "PAGEVIEW" })), 400],
  ["an event time in 2019", json(good({}, { t: Date.UTC(2019, 11, 31) })), 400],
  ["an event without a URL", json(good({}, { u: undefined })), 400],
  ["a relative page URL", json(good({}, { u: "/pricing" })), 400],
  ["a data: page URL", json(good({}, { u: "data:text/html,<b>x</b>" })), 400],
  ["a referrer as a number", json(good({}, { r: 7 })), 400],
  ["properties as an array", json(good({}, { d: [1, 2] })), 400],
  ["a property key with a space", json(good({}, { d: { "plan name": "pro" } })), 400],
  ["a property named __proto__", `{"s":"acme","v":"visitor-0001","t":${now},"e":[{"i":"event-0001","n":"pageview","t":${now},"u":"${ORIGIN}/","d":{"__proto__":{"admin":true}}}]}`, 400],
  ["a property named __proto__ spelt with escapes", `{"s":"acme","v":"visitor-0001","t":${now},"e":[{"i":"event-0001","n":"pageview","t":${now},"u":"${ORIGIN}/","d":{"\\u005f_pr\\u006fto__":{"admin":true}}}]}`, 400],
  ["a null property value", json(good({}, { d: { plan: null } })), 400],
  ["an array property value", json(good({}, { d: { plans: ["a", "b"] } })), 400],
  ["an infinite property value", `{"s":"acme","v":"visitor-0001","t":${now},"e":[{"i":"event-0001","n":"pageview","t":${now},"u":"${ORIGIN}/","d":{"x":-1e999}}]}`, 400],
  ["a custom event name in capitals", json(good({}, { n: "track", c: "SignUp" })), 400],
  ["a custom event name starting with a digit", json(good({}, { n: "track", c: "1signup" })), 400],
  ["an unknown field in an event", json(good({}, { x: true })), 400],
  ["20 events of which one is invalid", json(good({ e: [...events(19), ev({ i: "event-bad", n: "click" })] })), 400],
  ["a Content-Length over 16 KB on a small body", "", 413],
];

describe("POST /e refuses malformed beacons", () => {
  it.each(malformed)("refuses %s with %i and changes nothing", async (name, body, status) => {
    await createSite();
    const before = await tableCounts();
    const headers: Record<string, string> = { "content-type": "text/plain", origin: ORIGIN, "user-agent": CHROME_UA };
    if (name.startsWith("a Content-Length")) headers["content-length"] = String(MAX_BEACON_BYTES + 1);
    const res = await call("/e", { method: "POST", headers, body: name.startsWith("a Content-Length") ? json(good()) : body });
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(Object.keys(answer)).toEqual(["error"]);
    expect(answer.error.code).toBe(status === 413 ? "payload_too_large" : "bad_request");
    expect(await tableCounts()).toEqual(before);
  });

  it("answers a refusal with the beacon's CORS headers, so the tracker can read it", async () => {
    await createSite();
    const res = await call("/e", { method: "POST", headers: { "content-type": "text/plain", origin: ORIGIN, "user-agent": CHROME_UA }, body: "{not json" });
    expect(res.status).toBe(400);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toBe("X-Leadscore-Ignored,Retry-After");
  });

  it("answers a preflight with the methods and headers a beacon may use", async () => {
    const res = await call("/e", { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("POST");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type");
    expect(res.headers.get("access-control-max-age")).toBe("86400");
  });

  it("refuses a streamed body that passes 16 KB without declaring a length, and changes nothing", async () => {
    await createSite();
    const before = await tableCounts();
    const chunk = new TextEncoder().encode(" ".repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await call("/e", { method: "POST", headers: { origin: ORIGIN, "user-agent": CHROME_UA }, body });
    expect(res.status).toBe(413);
    // The collector stops reading at the limit instead of buffering all 64 KB.
    expect(sent).toBeLessThan(64);
    expect(await tableCounts()).toEqual(before);
  });
});

// Each limit from both sides: the largest accepted value gets a 202, one more gets a 4xx and changes nothing.
const limits: [string, () => string, () => string, number][] = [
  ["body size (16 KB)", () => json(good()).padEnd(MAX_BEACON_BYTES, " "), () => json(good()).padEnd(MAX_BEACON_BYTES + 1, " "), 413],
  ["events per beacon (20)", () => json(good({ e: events(MAX_BEACON_EVENTS) })), () => json(good({ e: events(MAX_BEACON_EVENTS + 1) })), 413],
  ["page URL length (2,000)", () => json(good({}, { u: `${ORIGIN}/${"a".repeat(2000 - ORIGIN.length - 1)}` })), () => json(good({}, { u: `${ORIGIN}/${"a".repeat(2000 - ORIGIN.length)}` })), 400],
  ["stored path length after encoding (2,000)", () => json(good({}, { u: encodedPathUrl(MAX_PATH_LENGTH) })), () => json(good({}, { u: encodedPathUrl(MAX_PATH_LENGTH + 1) })), 400],
  ["referrer length (2,000)", () => json(good({}, { r: `https://ref.example/${"r".repeat(2000 - 20)}` })), () => json(good({}, { r: `https://ref.example/${"r".repeat(2001 - 20)}` })), 400],
  ["property value length (500)", () => json(good({}, { d: { note: "x".repeat(500) } })), () => json(good({}, { d: { note: "x".repeat(501) } })), 400],
  ["property key length (40)", () => json(good({}, { d: { ["k".repeat(40)]: 1 } })), () => json(good({}, { d: { ["k".repeat(41)]: 1 } })), 400],
  ["properties per event (20)", () => json(good({}, { d: props(20) })), () => json(good({}, { d: props(21) })), 400],
  ["custom event name length (64)", () => json(good({}, { n: "track", c: "e".repeat(64) })), () => json(good({}, { n: "track", c: "e".repeat(65) })), 400],
  ["visitor id length (8-64), long side", () => json(good({ v: "v".repeat(64) })), () => json(good({ v: "v".repeat(65) })), 400],
  ["visitor id length (8-64), short side", () => json(good({ v: "v".repeat(8) })), () => json(good({ v: "v".repeat(7) })), 400],
  ["event id length (8-64)", () => json(good({}, { i: "i".repeat(64) })), () => json(good({}, { i: "i".repeat(65) })), 400],
  ["email length (254)", () => json(good({}, { n: "identify", d: { email: emailOf(254) } })), () => json(good({}, { n: "identify", d: { email: emailOf(255) } })), 400],
  ["site id length (63)", () => json(good({ s: "s".repeat(63) })), () => json(good({ s: "s".repeat(64) })), 400],
];

describe("POST /e size limits, both sides", () => {
  it.each(limits)("%s: accepts the limit, refuses one more", async (_name, atLimit, overLimit, status) => {
    await createSite("acme");
    await createSite("s".repeat(63));
    const before = await tableCounts();
    const over = await sendBeacon(overLimit());
    expect(over.status).toBe(status);
    expect(await tableCounts()).toEqual(before);
    const at = await sendBeacon(atLimit());
    expect(at.status).toBe(202);
    expect(((await at.json()) as { accepted: number }).accepted).toBeGreaterThan(0);
  });
});
