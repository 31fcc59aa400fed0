import { describe, expect, it } from "vitest";
import { api, sendBeacon, tableCounts } from "../support/api";

describe("sites", () => {
  it("creates a site with defaults and the default rules, and lists it", async () => {
    const res = await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://Acme.example"] });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      site: {
        id: "acme",
        name: "Acme",
        origins: ["https://acme.example"],
        visitTimeoutMin: 30,
        timezone: "UTC",
        listHour: 7,
        retentionDays: 395,
        webhookUrl: null,
        rulesVersion: 1,
        identityVerification: true,
        createdAt: expect.any(String),
      },
      identitySecret: expect.stringMatching(/^idsec_[0-9a-f]{64}$/),
    });
    const list = (await (await api("/api/sites")).json()) as { sites: { id: string }[] };
    expect(list.sites.map((s) => s.id)).toEqual(["acme"]);
    const rules = (await (await api("/api/sites/acme/rules")).json()) as { version: number; rules: { rules: { id: string }[] } };
    expect(rules.version).toBe(1);
    expect(rules.rules.rules.map((r) => r.id)).toEqual(["page-view", "video-play", "contact-page", "third-visit"]);
  });

  it("gives a site an id when none is asked for", async () => {
    const res = await api("/api/sites", "POST", { name: "No id", origins: ["https://x.example"] });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { site: { id: string } }).site.id).toMatch(/^site-[0-9a-f]{8}$/);
  });

  it("refuses a site id that is taken with 409", async () => {
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://a.example"] });
    const before = await tableCounts();
    const res = await api("/api/sites", "POST", { id: "acme", name: "Other", origins: ["https://b.example"] });
    expect(res.status).toBe(409);
    expect(await tableCounts()).toEqual(before);
  });

  it.each([
    ["no name", { origins: ["https://a.example"] }, "name"],
    ["no origins", { name: "A", origins: [] }, "origins"],
    ["an origin with a path", { name: "A", origins: ["https://a.example/x"] }, "origins[0]"],
    ["an unknown timezone", { name: "A", origins: ["https://a.example"], timezone: "Mars/Olympus" }, "timezone"],
    ["list hour 24", { name: "A", origins: ["https://a.example"], listHour: 24 }, "listHour"],
    ["a retention of 0 days", { name: "A", origins: ["https://a.example"], retentionDays: 0 }, "retentionDays"],
    ["an id with capitals", { id: "Acme", name: "A", origins: ["https://a.example"] }, "id"],
    ["invalid rules", { name: "A", origins: ["https://a.example"], rules: { prospectAt: 5, rules: [{ id: "x" }] } }, "rules.rules[0]"],
    ["an unknown field", { name: "A", origins: ["https://a.example"], colour: "red" }, "colour"],
  ])("refuses %s with a 400 naming the field", async (_name, body, field) => {
    const res = await api("/api/sites", "POST", body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("bad_request");
    expect(error.message).toContain(field);
    expect((await tableCounts()).sites).toBe(0);
  });

  it("refuses a body that is not JSON with 400", async () => {
    const res = await api("/api/sites", "POST", undefined);
    expect(res.status).toBe(400);
  });

  it("changes a site's name, origins, list hour and retention, and beacons from a new origin are accepted", async () => {
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://a.example"] });
    const res = await api("/api/sites/acme", "PATCH", { name: "Acme Inc", origins: ["https://a.example", "https://Shop.A.example"], listHour: 9, retentionDays: 30 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ site: { id: "acme", name: "Acme Inc", origins: ["https://a.example", "https://shop.a.example"], listHour: 9, retentionDays: 30, visitTimeoutMin: 30 } });
    expect(((await (await api("/api/sites/acme")).json()) as { site: { name: string } }).site.name).toBe("Acme Inc");
    const beacon = { s: "acme", v: "visitor-0001", t: Date.now(), e: [{ i: "event-0001", n: "pageview", t: Date.now(), u: "https://shop.a.example/" }] };
    expect((await sendBeacon(beacon, "https://shop.a.example")).status).toBe(202);
  });

  it.each([
    ["nothing to change", {}],
    ["a visit timeout (it shapes every stored score)", { visitTimeoutMin: 10 }],
    ["a timezone", { timezone: "Europe/Madrid" }],
    ["an empty origin list", { origins: [] }],
  ])("refuses a change of %s with 400 and changes nothing", async (_name, body) => {
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://a.example"] });
    const before = await (await api("/api/sites/acme")).json();
    const res = await api("/api/sites/acme", "PATCH", body);
    expect(res.status).toBe(400);
    expect(await (await api("/api/sites/acme")).json()).toEqual(before);
  });

  it("answers 404 for an unknown site", async () => {
    expect((await api("/api/sites/nobody")).status).toBe(404);
    expect((await api("/api/sites/nobody", "PATCH", { name: "x" })).status).toBe(404);
  });
});
