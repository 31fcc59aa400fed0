import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_API_BODY_BYTES } from "../../worker/lib/body-limit";
import { api, call, createSite, event, tableCounts, track, visitor } from "../support/api";
import { captureQueue, drainQueue } from "../support/jobs";
import { seedLeads } from "../support/seed";
import { PREVIEW_LEADS } from "../../worker/ingest/rule-preview";
import { ruleSetSchema } from "../../worker/scoring/rules";

const pageViewsOnly = { prospectAt: 3, rules: [{ id: "pv", label: "Page view", points: 1, when: { event: "pageview" } }] };

afterEach(() => vi.restoreAllMocks());

describe("rules", () => {
  it("stores a new version at once and rescores the stored history under it in a background job", async () => {
    await createSite();
    const queued = captureQueue();
    await track("acme", "visitor-0001", event("pageview", "/contact"), event("pageview", "/"), event("video_play", "/"));
    expect((await visitor("acme", "visitor-0001")).score).toBe(1 + 5 + 1 + 2);

    const res = await api("/api/sites/acme/rules", "PUT", {
      prospectAt: 20,
      rules: [{ id: "contact", label: "Contact page", points: 20, when: { event: "pageview", path: "/contact" } }],
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as { version: number; job: { id: string; status: string } };
    expect(started.version).toBe(2);
    expect(started.job.status).toBe("queued");
    expect(res.headers.get("location")).toBe(`/api/sites/acme/rules/jobs/${started.job.id}`);
    await drainQueue(queued);
    expect(((await (await api(`/api/sites/acme/rules/jobs/${started.job.id}`)).json()) as { status: string }).status).toBe("done");

    const v = await visitor("acme", "visitor-0001");
    expect(v.score).toBe(20);
    expect(v.prospect).toBe(true);
    expect(v.breakdown).toEqual([{ rule: "contact", label: "Contact page", dimension: "engagement", points: 20, earned: 20, fired: 1 }]);
    const current = (await (await api("/api/sites/acme/rules")).json()) as { version: number };
    expect(current.version).toBe(2);

    // New events are scored under the new rules.
    await track("acme", "visitor-0001", event("pageview", "/contact"));
    expect((await visitor("acme", "visitor-0001")).score).toBe(40);
  });

  it("previews who would become or stop being a prospect without changing anything", async () => {
    await createSite("acme", pageViewsOnly);
    await track("acme", "visitor-many", event("pageview"), event("pageview"), event("pageview"));
    await track("acme", "visitor-few1", event("pageview"));
    const before = await tableCounts();
    const res = await api("/api/sites/acme/rules/preview", "POST", { ...pageViewsOnly, prospectAt: 1 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      visitors: 2,
      becomeProspects: [{ visitorId: "visitor-few1", email: null }],
      stopBeingProspects: [],
      changedScores: [],
      page: { from: null, to: "visitor-many", eventsReplayed: 4, nextCursor: null, note: expect.stringContaining("at most 200") },
    });
    const res2 = await api("/api/sites/acme/rules/preview", "POST", { ...pageViewsOnly, prospectAt: 10 });
    expect(((await res2.json()) as { stopBeingProspects: unknown[] }).stopBeingProspects).toEqual([{ visitorId: "visitor-many", email: null }]);
    expect(await tableCounts()).toEqual(before);
    expect((await visitor("acme", "visitor-few1")).prospect).toBe(false);
  });

  it("previews a bounded page of leads at a time, says which, and pages on with the cursor it gives", async () => {
    await createSite("acme", pageViewsOnly);
    const ids = Array.from({ length: PREVIEW_LEADS + 5 }, (_, i) => `lead-${String(i).padStart(4, "0")}`);
    await seedLeads("acme", ids, 2, ruleSetSchema.parse(pageViewsOnly), { visitTimeoutMs: 30 * 60_000, timezone: "UTC" });
    type Preview = { visitors: number; becomeProspects: { visitorId: string }[]; page: { from: string | null; to: string; eventsReplayed: number; nextCursor: string | null } };
    const first = (await (await api("/api/sites/acme/rules/preview", "POST", { ...pageViewsOnly, prospectAt: 2 })).json()) as Preview;
    expect(first.visitors).toBe(PREVIEW_LEADS);
    expect(first.becomeProspects.map((l) => l.visitorId)).toEqual(ids.slice(0, PREVIEW_LEADS));
    expect(first.page).toMatchObject({ from: null, to: ids[PREVIEW_LEADS - 1], eventsReplayed: 2 * PREVIEW_LEADS, nextCursor: ids[PREVIEW_LEADS - 1] });
    const next = (await (await api(`/api/sites/acme/rules/preview?cursor=${first.page.nextCursor}`, "POST", { ...pageViewsOnly, prospectAt: 2 })).json()) as Preview;
    expect(next.becomeProspects.map((l) => l.visitorId)).toEqual(ids.slice(PREVIEW_LEADS));
    expect(next.page.nextCursor).toBeNull();
  });

  it("names leads by email beside their visitor ids in a preview", async () => {
    await createSite("acme", pageViewsOnly);
    await track("acme", "visitor-ana1", event("pageview"), event("identify", "/", 0, { d: { email: "Ana@Example.com" } }));
    await track("acme", "visitor-anon", event("pageview"), event("pageview"));
    const res = await api("/api/sites/acme/rules/preview", "POST", { ...pageViewsOnly, rules: [{ id: "pv", points: 2, when: { event: "pageview" } }] });
    expect(await res.json()).toEqual({
      visitors: 2,
      becomeProspects: [{ visitorId: "visitor-anon", email: null }],
      stopBeingProspects: [],
      changedScores: [
        { visitorId: "visitor-anon", email: null, before: 2, after: 4 },
        { visitorId: "visitor-ana1", email: "ana@example.com", before: 1, after: 2 },
      ],
      page: expect.objectContaining({ nextCursor: null }),
    });
  });

  it("takes GET's answer back as is, and refuses it once another version was stored since", async () => {
    await createSite();
    const read = await (await api("/api/sites/acme/rules")).json();
    const put = await api("/api/sites/acme/rules", "PUT", read);
    expect(put.status).toBe(202);
    const { job: _job, ...stored } = (await put.json()) as { version: number; rules: unknown; createdAt: string; job: unknown };
    expect(stored.version).toBe(2);
    expect(stored.rules).toEqual((read as { rules: unknown }).rules);
    const again = await (await api("/api/sites/acme/rules")).json();
    expect(again).toEqual(stored);
    // The round trip is stable: what GET answers now, PUT takes again.
    expect((await api("/api/sites/acme/rules", "PUT", again)).status).toBe(202);
    const stale = await api("/api/sites/acme/rules", "PUT", read);
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toContain("version 1");
  });

  it.each([
    ["not JSON", "{prospectAt: 5", /body is not valid JSON: /],
    ["an envelope with an unknown key", JSON.stringify({ version: 1, rules: { prospectAt: 5, rules: [] }, extra: 1 }), /invalid rule set: Unrecognized key: "extra"/],
    ["an envelope around an invalid rule set", JSON.stringify({ version: 1, rules: { rules: [] } }), /invalid rule set: prospectAt/],
  ])("answers a PUT of %s with a 400 that says what is wrong", async (_name, body, message) => {
    await createSite();
    const res = await call("/api/sites/acme/rules", { method: "PUT", headers: { authorization: "Bearer test-token", "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  });

  it.each([
    ["a rule without points", { prospectAt: 5, rules: [{ id: "video", when: { event: "video_play" } }] }, 'rules[0].points (rule "video")'],
    ["a bad path pattern", { prospectAt: 5, rules: [{ id: "ok", points: 1, when: { event: "pageview" } }, { id: "blog", points: 1, when: { event: "pageview", path: "blog" } }] }, 'rules[1].when.path (rule "blog")'],
    ["two rules with one id", { prospectAt: 5, rules: [{ id: "a", points: 1, when: { event: "pageview" } }, { id: "a", points: 1, when: { event: "download" } }] }, 'rules[1].id (rule "a")'],
    ["no threshold", { rules: [] }, "prospectAt"],
  ])("refuses %s with a 400 naming the rule and field, and changes nothing", async (_name, body, where) => {
    await createSite();
    const before = await tableCounts();
    const res = await api("/api/sites/acme/rules", "PUT", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(where);
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses a body over 1 MB with 413 and changes nothing, and takes one just under it", async () => {
    await createSite();
    const before = await tableCounts();
    const padded = (size: number) => JSON.stringify(pageViewsOnly).padEnd(size, " ");
    const over = await call("/api/sites/acme/rules", { method: "PUT", headers: { authorization: "Bearer test-token", "content-type": "application/json" }, body: padded(MAX_API_BODY_BYTES + 1) });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect(await tableCounts()).toEqual(before);
    const under = await call("/api/sites/acme/rules", { method: "PUT", headers: { authorization: "Bearer test-token", "content-type": "application/json" }, body: padded(MAX_API_BODY_BYTES) });
    expect(under.status).toBe(202);
  });

  it("answers 404 for the rules of an unknown site", async () => {
    expect((await api("/api/sites/nobody/rules")).status).toBe(404);
    expect((await api("/api/sites/nobody/rules", "PUT", pageViewsOnly)).status).toBe(404);
  });
});
