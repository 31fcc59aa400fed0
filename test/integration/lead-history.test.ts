import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { HISTORY_RETRY_AFTER, leadHistory } from "../../worker/ingest/lead-history";
import { defaultRules } from "../../worker/scoring/default-rules";
import { api, beaconBody, call, createSite, event, sendBeacon, signedIdentify, tableCounts, TOKEN, track, visitor } from "../support/api";
import { captureQueue, drainQueue, type Queued } from "../support/jobs";
import { seedHistory } from "../support/seed";

const DAY = 86_400_000;
const LIMIT = leadHistory.max;

const storedEvents = async (site: string, id: string) =>
  (await env.DB.prepare("SELECT stored_events AS n FROM visitors WHERE site_id = ? AND id = ?").bind(site, id).first<{ n: number | null }>())?.n;

let queued: Queued[] = [];
beforeEach(() => {
  queued = captureQueue();
  leadHistory.max = 3;
});
afterEach(() => {
  leadHistory.max = LIMIT;
});

describe("the events one lead keeps", () => {
  it("refuses a beacon that would take a lead past the limit, with a 429, and stores none of it", async () => {
    await createSite();
    await track("acme", "visitor-0001", event("pageview", "/"), event("pageview", "/pricing"));
    expect(await storedEvents("acme", "visitor-0001")).toBe(2);
    // Two more would make 4: the whole beacon is refused, the one that fits is not taken from it.
    const refused = await sendBeacon(beaconBody("acme", "visitor-0001", [event("pageview", "/contact"), event("pageview", "/")]));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(HISTORY_RETRY_AFTER));
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'lead "visitor-0001" keeps at most 3 events; it takes new ones again once the site\'s retention has purged older ones',
    );
    expect((await tableCounts()).events).toBe(2);
    expect((await visitor("acme", "visitor-0001")).score).toBe(2);
    // One more fits, then nothing does; other visitors are not affected.
    await track("acme", "visitor-0001", event("pageview", "/contact"));
    expect((await sendBeacon(beaconBody("acme", "visitor-0001", [event("pageview", "/")]))).status).toBe(429);
    await track("acme", "visitor-0002", event("pageview", "/"));
    expect(await storedEvents("acme", "visitor-0001")).toBe(3);
    expect((await tableCounts()).events).toBe(4);
  });

  it("counts the events of a lead stored before the count existed on its next write, over all its visitor ids", async () => {
    await createSite();
    leadHistory.max = LIMIT;
    await seedHistory("acme", "visitor-0001", 40, defaultRules, { visitTimeoutMs: 30 * 60_000, timezone: "UTC" });
    await track("acme", "phone-000001", event("pageview", "/"));
    // As a row from before the column: not counted, and the phone's row merged into it.
    await env.DB.prepare("UPDATE visitors SET stored_events = NULL WHERE id = 'visitor-0001'").run();
    await env.DB.prepare("UPDATE visitors SET lead_id = 'visitor-0001', stored_events = NULL, version = version + 1 WHERE id = 'phone-000001'").run();
    await track("acme", "visitor-0001", event("pageview", "/pricing"), event("pageview", "/"));
    expect(await storedEvents("acme", "visitor-0001")).toBe(40 + 1 + 2);
    await track("acme", "phone-000001", event("pageview", "/contact"));
    expect(await storedEvents("acme", "visitor-0001")).toBe(44);
  });

  it("takes events again once retention has purged older ones: the purge clears the count, the next write counts", async () => {
    await createSite("acme", undefined, { retentionDays: 30 });
    await track("acme", "visitor-0001", event("pageview", "/"), event("pageview", "/pricing"), event("pageview", "/contact"));
    const earned = (await visitor("acme", "visitor-0001")).score;
    expect((await sendBeacon(beaconBody("acme", "visitor-0001", [event("pageview", "/")]))).status).toBe(429);
    // The daily run 31 days on purges all three (it runs after the site's list hour, 7 local).
    const at = Date.parse(`${new Date(Date.now() + 31 * DAY).toISOString().slice(0, 10)}T23:00:00Z`);
    await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "0 * * * *" }), env);
    await drainQueue(queued);
    expect((await tableCounts()).events).toBe(0);
    expect(await storedEvents("acme", "visitor-0001")).toBeNull();
    await track("acme", "visitor-0001", event("pageview", "/"));
    expect(await storedEvents("acme", "visitor-0001")).toBe(1);
    // Retention keeps the points the purged events earned.
    expect((await visitor("acme", "visitor-0001")).score).toBe(earned + 1);
  });

  it("refuses server-side events past the limit too, and still takes sales' outcomes from the CSV", async () => {
    await createSite();
    await track("acme", "visitor-0001", event("pageview", "/"), event("pageview", "/pricing"), event("pageview", "/contact"));
    const refused = await api("/api/sites/acme/events", "POST", { visitorId: "visitor-0001", events: [{ id: "mailer-0001", type: "email_click", at: Date.now() }] });
    expect(refused.status).toBe(429);
    expect((await tableCounts()).events).toBe(3);
    const csv = await call("/api/sites/acme/prospects/outcomes", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/csv" },
      body: "visitor_id,outcome\r\nvisitor-0001,won\r\n",
    });
    expect(await csv.json()).toMatchObject({ outcomes: 1, recorded: 1 });
    expect(await (await api("/api/sites/acme/visitors/visitor-0001")).json()).toMatchObject({ stage: "won", outcome: { outcome: "won" } });
    expect(await storedEvents("acme", "visitor-0001")).toBe(4);
  });

  it("leaves two leads with one email apart when together they would keep more than the limit", async () => {
    await createSite();
    await track("acme", "laptop-0001", event("pageview", "/"), await signedIdentify("acme", "eva@acme.example"));
    await track("acme", "phone-00001", event("pageview", "/contact"), await signedIdentify("acme", "eva@acme.example"));
    expect((await visitor("acme", "phone-00001")).id).toBe("phone-00001");
    expect((await visitor("acme", "laptop-0001")).visitorIds).toEqual(["laptop-0001"]);
    // With room for both, two such leads are joined, and the kept row counts the events of both.
    leadHistory.max = 4;
    await track("acme", "laptop-0002", event("pageview", "/"), await signedIdentify("acme", "flo@acme.example"));
    await track("acme", "phone-00002", event("pageview", "/contact"), await signedIdentify("acme", "flo@acme.example"));
    expect((await visitor("acme", "phone-00002")).visitorIds).toEqual(["laptop-0002", "phone-00002"]);
    expect(await storedEvents("acme", "laptop-0002")).toBe(4);
    // Joined, the lead is full.
    expect((await sendBeacon(beaconBody("acme", "phone-00002", [event("pageview", "/")]))).status).toBe(429);
  });
});
