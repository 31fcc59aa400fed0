import { describe, expect, it } from "vitest";
import { api, createSite, event, signedIdentify, tableCounts, track, visitor } from "../support/api";
import emailEngagement from "../../worker/scoring/examples/email-engagement.json";

const now = Date.now();
const send = (site: string, body: unknown) => api(`/api/sites/${site}/events`, "POST", body);

describe("POST /api/sites/:site/events", () => {
  it("scores server-side events for a visitor id", async () => {
    await createSite("acme", emailEngagement);
    await track("acme", "visitor-0001", event("pageview"));
    const res = await send("acme", { visitorId: "visitor-0001", sentAt: now, events: [{ id: "open-0001", type: "email_open", at: now - 60_000 }, { id: "reply-001", type: "email_reply", at: now }] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ visitorId: "visitor-0001", accepted: 2, duplicates: 0 });
    expect((await visitor("acme", "visitor-0001")).score).toBe(12);
  });

  it("finds the visitor identified with an email, whatever its case", async () => {
    await createSite("acme", emailEngagement);
    await track("acme", "visitor-0002", await signedIdentify("acme", "ana@acme.example"));
    const res = await send("acme", { email: "Ana@ACME.example", events: [{ id: "click-0001", type: "email_click", at: now }] });
    expect(((await res.json()) as { visitorId: string }).visitorId).toBe("visitor-0002");
    expect((await visitor("acme", "visitor-0002")).score).toBe(6);
  });

  it("starts a lead for an email no visitor has, and keeps finding it", async () => {
    await createSite("acme", emailEngagement);
    const first = (await (await send("acme", { email: "new@lead.example", events: [{ id: "open-0002", type: "email_open", at: now }] })).json()) as { visitorId: string };
    expect(first.visitorId).toMatch(/^em-[0-9a-f]{32}$/);
    const second = (await (await send("acme", { email: "new@lead.example", events: [{ id: "reply-002", type: "email_reply", at: now }] })).json()) as { visitorId: string };
    expect(second.visitorId).toBe(first.visitorId);
    const v = (await visitor("acme", first.visitorId)) as unknown as { score: number; identity: { email: string } };
    expect(v.score).toBe(12);
    expect(v.identity.email).toBe("new@lead.example");
  });

  it("counts a retried event once", async () => {
    await createSite("acme", emailEngagement);
    const body = { email: "x@y.example", events: [{ id: "call-00001", type: "call_answered", at: now }, { id: "click-0002", type: "email_click", at: now }] };
    expect(await (await send("acme", body)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await (await send("acme", body)).json()).toMatchObject({ accepted: 0, duplicates: 2 });
  });

  it("sets traits with identify, which fit rules score", async () => {
    await createSite("acme", { prospectAt: 10, rules: [{ id: "vp", points: 10, when: { trait: "title", contains: "vp" } }] });
    await send("acme", { visitorId: "visitor-0003", events: [{ id: "crm-000001", type: "identify", at: now, props: { title: "VP Marketing", employees: 300 } }] });
    const v = await visitor("acme", "visitor-0003");
    expect(v.prospect).toBe(true);
    expect(v.breakdown).toMatchObject([{ rule: "vp", dimension: "fit", points: 10 }]);
  });

  it.each([
    ["neither visitorId nor email", { events: [{ id: "e-0000001", type: "email_open", at: now }] }],
    ["both visitorId and email", { visitorId: "visitor-0001", email: "a@b.example", events: [{ id: "e-0000001", type: "email_open", at: now }] }],
    ["a bad email", { email: "not-an-email", events: [{ id: "e-0000001", type: "email_open", at: now }] }],
    ["no events", { visitorId: "visitor-0001", events: [] }],
    ["101 events", { visitorId: "visitor-0001", events: Array.from({ length: 101 }, (_, i) => ({ id: `e-${1000000 + i}`, type: "email_open", at: now })) }],
    ["a reserved type", { visitorId: "visitor-0001", events: [{ id: "e-0000001", type: "pageview", at: now }] }],
    ["a time as a string", { visitorId: "visitor-0001", events: [{ id: "e-0000001", type: "email_open", at: "yesterday" }] }],
    ["nested props", { visitorId: "visitor-0001", events: [{ id: "e-0000001", type: "form_submit", at: now, props: { form: { name: "x" } } }] }],
    ["an identify with a bad email", { visitorId: "visitor-0001", events: [{ id: "e-0000001", type: "identify", at: now, props: { email: "nope" } }] }],
  ])("refuses %s with 400 and changes nothing", async (_name, body) => {
    await createSite("acme");
    const before = await tableCounts();
    const res = await send("acme", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    expect(await tableCounts()).toEqual(before);
  });

  it("answers 404 for an unknown site", async () => {
    expect((await send("nobody", { visitorId: "visitor-0001", events: [{ id: "e-0000001", type: "email_open", at: now }] })).status).toBe(404);
  });
});
