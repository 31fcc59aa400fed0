import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_API_BODY_BYTES } from "../../worker/lib/body-limit";
import { api, call, createSite, event, tableCounts, track, visitor } from "../support/api";
import { captureQueue, drainQueue } from "../support/jobs";

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
      becomeProspects: ["visitor-few1"],
      stopBeingProspects: [],
      changedScores: [],
      page: { from: null, to: "visitor-many", eventsReplayed: 4, nextCursor: null, note: expect.stringContaining("at most 200") },
    });
    const res2 = await api("/api/sites/acme/rules/preview", "POST", { ...pageViewsOnly, prospectAt: 10 });
    expect(((await res2.json()) as { stopBeingProspects: string[] }).stopBeingProspects).toEqual(["visitor-many"]);
    expect(await tableCounts()).toEqual(before);
    expect((await visitor("acme", "visitor-few1")).prospect).toBe(false);
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
