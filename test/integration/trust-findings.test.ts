import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/lib/hash";
import { IGNORED_HEADER } from "../../worker/routes/collect";
import { SERVER_EVENT_TYPES } from "../../worker/routes/events";
import { api, beaconBody, call, CHROME_UA, createSite, event, ORIGIN, sendBeacon, tableCounts, track, visitor } from "../support/api";

const sendEvents = (body: unknown) => api("/api/sites/acme/events", "POST", body);
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

describe("ids of leads first known by email", () => {
  it("cannot be computed from the site and the email, and are found again by the email", async () => {
    await createSite();
    await createSite("other");
    const first = (await (await sendEvents({ email: "ana@acme.example", events: [{ id: "open-00001", type: "email_open", at: Date.now() }] })).json()) as { visitorId: string };
    expect(first.visitorId).not.toBe(`em-${(await sha256Hex("acme\nana@acme.example")).slice(0, 32)}`);
    const again = (await (await sendEvents({ email: "Ana@acme.example", events: [{ id: "open-00002", type: "email_open", at: Date.now() }] })).json()) as { visitorId: string };
    expect(again.visitorId).toBe(first.visitorId);
    const elsewhere = (await (await api("/api/sites/other/events", "POST", { email: "ana@acme.example", events: [{ id: "open-00003", type: "email_open", at: Date.now() }] })).json()) as { visitorId: string };
    expect(elsewhere.visitorId).not.toBe(first.visitorId);
  });

  it("end as one lead when two requests start the same email at once", async () => {
    await createSite();
    const answers = await Promise.all(
      ["click-00001", "click-00002", "click-00003"].map((id) => sendEvents({ email: "bo@acme.example", events: [{ id, type: "email_click", at: Date.now() }] })),
    );
    const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as { visitorId: string }).visitorId));
    const leads = ((await (await api("/api/sites/acme/visitors")).json()) as { visitors: { id: string; email: string }[] }).visitors;
    expect(leads).toHaveLength(1);
    const merged = await visitor("acme", ids[0] as string);
    expect(merged.visitorIds.sort()).toEqual([...new Set(ids)].sort());
    expect(merged.recentEvents.filter((e) => e.type === "email_click")).toHaveLength(3);
  });
});

describe("event types the API owns, sent from a page", () => {
  it.each([...SERVER_EVENT_TYPES, "email_bounce", "call_missed"])("refuses track %s with a 400 naming e[0].c, changing nothing", async (type) => {
    await createSite();
    const before = await tableCounts();
    const res = await sendBeacon(beaconBody("acme", "visitor-0001", [event(`custom:${type}`)]));
    expect(res.status).toBe(400);
    expect(await message(res)).toContain("e[0].c");
    expect(await tableCounts()).toEqual(before);
  });

  it("still takes the same types through the API, and other custom names from the page", async () => {
    await createSite();
    expect((await sendEvents({ visitorId: "visitor-0002", events: [{ id: "open-00004", type: "email_open", at: Date.now() }] })).status).toBe(202);
    expect((await track("acme", "visitor-0002", event("custom:signup"), event("custom:emailed_us"))).accepted).toBe(2);
  });
});

describe("names Object.prototype answers to", () => {
  it("score a rule and a dimension named constructor exactly as their breakdown says", async () => {
    await createSite("acme", {
      prospectAt: 100,
      dimensions: { constructor: { floor: 0 } },
      rules: [
        { id: "constructor", points: 6, dimension: "constructor", when: { event: "pageview" } },
        { id: "valueof", points: 3, when: { trait: "constructor", equals: "yes" } },
        { id: "signup", points: 2, when: { event: "signup", props: { constructor: { equals: "x" } } } },
      ],
    });
    await track("acme", "visitor-0003", event("pageview"), event("pageview"), event("custom:signup"), event("custom:signup", "/", 0, { d: { constructor: "x" } }));
    const v = (await visitor("acme", "visitor-0003")) as Awaited<ReturnType<typeof visitor>> & { dimensions: Record<string, number> };
    expect(v.score).toBe(14);
    expect(v.breakdown.reduce((sum, b) => sum + b.points, 0)).toBe(14);
    expect(v.dimensions).toMatchObject({ constructor: 12, engagement: 2, fit: 0 });
  });

  it.each([
    ["API event props", "/api/sites/acme/events", "POST", '{"visitorId":"visitor-0004","events":[{"id":"e-0000001","type":"signup","at":1795420800000,"props":{"__proto__":{"x":1}}}]}'],
    ["rule dimensions (PUT rules)", "/api/sites/acme/rules", "PUT", '{"prospectAt":1,"dimensions":{"__proto__":{"floor":5}},"rules":[]}'],
    ["rule dimensions (a new site)", "/api/sites", "POST", '{"id":"new-site","name":"N","origins":["https://n.example"],"rules":{"prospectAt":1,"dimensions":{"__proto__":{}},"rules":[]}}'],
    ["rule props (preview)", "/api/sites/acme/rules/preview", "POST", '{"prospectAt":1,"rules":[{"id":"a","points":1,"when":{"event":"signup","props":{"__proto__":{"equals":1}}}}]}'],
  ])("answers a __proto__ key in %s with a 400, as the beacon does, changing nothing", async (_what, path, method, body) => {
    await createSite();
    const before = await tableCounts();
    const res = await call(path, { method, headers: { authorization: "Bearer test-token", "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(await message(res)).toContain("__proto__");
    expect(await tableCounts()).toEqual(before);
  });
});

describe("privacy", () => {
  it("keeps download and video URLs, and page paths, without query strings or path parameters", async () => {
    await createSite();
    await track(
      "acme",
      "visitor-0005",
      event("download", "/docs;jsessionid=ABC123", 0, { d: { file: `${ORIGIN}/files/Report.pdf;jsessionid=ABC123?email=ana@acme.example&token=s3cr3t#p2` } }),
      event("video_play", "/tour", 0, { d: { src: `${ORIGIN}/media/tour.webm?sig=abc&email=ana@acme.example`, title: "Tour" } }),
      event("video_play", "/tour", 0, { d: { src: "blob:https://shop.example/7f1c?token=x", title: "Stream" } }),
    );
    const rows = await env.DB.prepare("SELECT type, path, props FROM events ORDER BY seq").all<{ type: string; path: string; props: string }>();
    expect(rows.results.map((r) => [r.type, r.path, JSON.parse(r.props)])).toEqual([
      ["download", "/docs", { file: `${ORIGIN}/files/Report.pdf` }],
      ["video_play", "/tour", { src: `${ORIGIN}/media/tour.webm`, title: "Tour" }],
      ["video_play", "/tour", { src: "blob:https://shop.example/7f1c", title: "Stream" }],
    ]);
    const dump = JSON.stringify(rows.results);
    for (const secret of ["jsessionid", "ABC123", "s3cr3t", "ana@acme.example", "token"]) expect(dump).not.toContain(secret);
  });

  it("does not copy its own country property into traits on identify", async () => {
    await createSite();
    const body = JSON.stringify(beaconBody("acme", "visitor-0006", [event("identify", "/", 0, { d: { email: "di@acme.example", title: "CTO" } })]));
    const headers = { "content-type": "text/plain", origin: ORIGIN, "user-agent": CHROME_UA };
    expect((await call("/e", { method: "POST", headers, body, cf: { country: "ES" } } as RequestInit)).status).toBe(202);
    const v = (await visitor("acme", "visitor-0006")) as unknown as { identity: { traits: Record<string, unknown> } };
    expect(v.identity.traits).toEqual({ title: "CTO", geo_country: "ES" });
  });

  it("answers events for an erased visitor id on the API as ignored, storing nothing", async () => {
    await createSite();
    await track("acme", "visitor-0007", event("pageview"));
    expect((await api("/api/sites/acme/visitors/visitor-0007", "DELETE")).status).toBe(200);
    const before = await tableCounts();
    const res = await sendEvents({ visitorId: "visitor-0007", events: [{ id: "open-00005", type: "email_open", at: Date.now() }] });
    expect(res.status).toBe(202);
    expect(res.headers.get(IGNORED_HEADER)).toBe("erased");
    expect(await res.json()).toEqual({ visitorId: "visitor-0007", accepted: 0, duplicates: 0, ignored: "erased" });
    expect(await tableCounts()).toEqual(before);
  });
});
