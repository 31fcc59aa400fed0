import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { database } from "../../worker/store/db";
import { StaleWrite } from "../../worker/store/guard";
import { commitMerge, leadGroup } from "../../worker/store/leads";
import { app } from "../../worker/index";
import { api, beaconBody, CHROME_UA, createSite, event, ORIGIN, sendBeacon, signedIdentify, tableCounts, track, visitor } from "../support/api";
import { captureQueue, drainQueue } from "../support/jobs";
import { meteredD1, type RowMeter } from "../support/metered-d1";
import { seedAliases } from "../support/seed";

// Merges take a verified identify: one the site's backend signed.
const identify = (email: string) => signedIdentify("acme", email);
const leaderboard = async (site: string) =>
  ((await (await api(`/api/sites/${site}/visitors?limit=50`)).json()) as { visitors: { id: string; score: number }[] }).visitors.map((v) => [v.id, v.score]);

afterEach(() => vi.restoreAllMocks());

describe("one lead per email", () => {
  it("merges two browsers identified with the same email: history joined, score recomputed, one row", async () => {
    await createSite();
    // Laptop: two visits with the contact page (1 + 5 + 1 + 5); phone: one video page view and a play (1 + 2).
    await track("acme", "laptop-0001", event("pageview", "/contact", 5 * 3_600_000), event("pageview", "/contact", 3 * 3_600_000));
    await track("acme", "phone-00001", event("pageview", "/video", 60_000), event("video_play", "/video", 50_000));
    await track("acme", "laptop-0001", await identify("ana@acme.example"));
    await track("acme", "phone-00001", await identify("Ana@Acme.example"));

    const lead = await visitor("acme", "phone-00001");
    expect(lead).toMatchObject({ id: "laptop-0001", visitorIds: ["laptop-0001", "phone-00001"], visits: 3 });
    // The third visit (the phone's, later than both laptop visits) earns the one-time bonus only now.
    expect(lead.breakdown.find((b) => b.rule === "third-visit")).toMatchObject({ points: 10, fired: 1 });
    expect(lead.score).toBe(25);
    expect(await leaderboard("acme")).toEqual([["laptop-0001", 25]]);

    // Later events from either browser add to the one lead.
    await track("acme", "phone-00001", event("pageview", "/contact"));
    expect((await visitor("acme", "laptop-0001")).score).toBe(31);
  });

  it("gives the same scores when the rules are replayed over the merged history", async () => {
    await createSite();
    await track("acme", "laptop-0002", event("pageview", "/", 4 * 3_600_000), await identify("bo@acme.example"));
    await track("acme", "phone-00002", event("pageview", "/contact", 2 * 3_600_000), event("video_play", "/", 2 * 3_600_000 - 1000));
    await track("acme", "phone-00002", await identify("bo@acme.example"), event("pageview", "/contact"));
    const before = await visitor("acme", "laptop-0002");
    const rules = (await (await api("/api/sites/acme/rules")).json()) as { rules: unknown };
    const queued = captureQueue();
    expect((await api("/api/sites/acme/rules", "PUT", rules.rules)).status).toBe(202);
    await drainQueue(queued);
    const after = await visitor("acme", "laptop-0002");
    expect(after.score).toBe(before.score);
    expect(after.breakdown).toEqual(before.breakdown);
    expect(await leaderboard("acme")).toEqual([["laptop-0002", before.score]]);
  });

  it("sends server-side events for the email to the merged lead", async () => {
    await createSite("acme", { prospectAt: 10, rules: [{ id: "click", points: 6, when: { event: "email_click" } }, { id: "pv", points: 1, when: { event: "pageview" } }] });
    // The mailer knows the email first; the browser identifies later.
    const res = await api("/api/sites/acme/events", "POST", { email: "cy@acme.example", events: [{ id: "click-0001", type: "email_click", at: Date.now() - 60_000 }] });
    const { visitorId } = (await res.json()) as { visitorId: string };
    await track("acme", "browser-001", event("pageview"), await identify("cy@acme.example"));
    const lead = await visitor("acme", "browser-001");
    expect(lead.id).toBe(visitorId);
    expect(lead.score).toBe(7);
    await api("/api/sites/acme/events", "POST", { email: "cy@acme.example", events: [{ id: "click-0002", type: "email_click", at: Date.now() }] });
    expect((await visitor("acme", "browser-001")).score).toBe(13);
    expect(await leaderboard("acme")).toEqual([[visitorId, 13]]);
  });

  it("erases the whole person: every visitor id of the lead, and none is tracked again", async () => {
    await createSite();
    await track("acme", "laptop-0003", event("pageview"), await identify("di@acme.example"));
    await track("acme", "phone-00003", event("pageview"), await identify("di@acme.example"));
    const res = await api("/api/sites/acme/visitors/phone-00003", "DELETE");
    expect(await res.json()).toMatchObject({ visitorIds: ["laptop-0003", "phone-00003"], erased: { events: 4, visitor: true } });
    expect(await tableCounts()).toMatchObject({ visitors: 0, events: 0 });
    await sendBeacon(beaconBody("acme", "laptop-0003", [event("pageview")]));
    expect(await tableCounts()).toMatchObject({ visitors: 0, events: 0 });
  });

  it("merges a person with 150 visitor ids in a handful of statements, within the free plan's 50 per invocation", async () => {
    await createSite();
    await track("acme", "laptop-0005", event("pageview"), await identify("ed@acme.example"));
    await track("acme", "phone-00005", event("pageview", "/contact"));
    const aliases = await seedAliases("acme", "phone-00005", 150);
    const meter: RowMeter = { read: 0, written: 0, statements: 0 };
    const request = new Request("https://collector.test/e", {
      method: "POST",
      headers: { "content-type": "text/plain", origin: ORIGIN, "user-agent": CHROME_UA },
      body: JSON.stringify(beaconBody("acme", "phone-00005", [await identify("ed@acme.example")])),
    });
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    expect((await app.fetch(request, { ...env, DB: meteredD1(env.DB, meter) }, ctx)).status).toBe(202);
    expect(meter.statements + (meter.unmetered ?? 0)).toBeLessThan(50);
    // The older lead keeps the score; the phone and every one of its ids point at it.
    const lead = await visitor("acme", aliases[149] as string);
    expect(lead.id).toBe("laptop-0005");
    expect(lead.visitorIds).toHaveLength(152);
    // Both histories: the laptop's page view, the phone's contact page view (1 + 1 + 5).
    expect(lead.score).toBe(7);
    expect(await leaderboard("acme")).toEqual([["laptop-0005", 7]]);
  });

  it("refuses a merge computed from rows that moved since they were read", async () => {
    await createSite();
    await track("acme", "laptop-0004", event("pageview"));
    await track("acme", "phone-00004", event("pageview"));
    const db = database(env.DB);
    const [keep] = await leadGroup(db, "acme", "laptop-0004");
    const [other] = await leadGroup(db, "acme", "phone-00004");
    // Another beacon lands on the phone after the rows were read.
    await track("acme", "phone-00004", event("pageview"));
    const write = { siteId: "acme", rulesVersion: 1, keep: keep!, state: keep!.state, score: 1, nextChangeAt: null, lastSeq: keep!.lastSeq, storedEvents: 2, merged: [other!], leadIds: ["laptop-0004", "phone-00004"] as [string, string] };
    await expect(commitMerge(db, write)).rejects.toBeInstanceOf(StaleWrite);
    expect(await leaderboard("acme")).toEqual([["phone-00004", 2], ["laptop-0004", 1]]);
  });
});

