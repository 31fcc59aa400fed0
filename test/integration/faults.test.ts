import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/index";
import { api, beaconBody, CHROME_UA, createSite, event, ORIGIN, tableCounts, TOKEN, track, visitor } from "../support/api";
import { failingD1 } from "../support/failing-d1";
import { clearIsolateCaches } from "../../worker/store/isolate-cache";

function beaconRequest(body: unknown): Request {
  return new Request("https://collector.test/e", {
    method: "POST",
    headers: { "content-type": "text/plain", origin: ORIGIN, "user-agent": CHROME_UA },
    body: JSON.stringify(body),
  });
}

describe("a D1 failure while storing a beacon", () => {
  // Cold: the isolate knows nothing (read, then write); warm: it goes straight to the guarded write.
  it.each([
    ["reading the visitor", 1, "before", 0, "cold"],
    ["writing the batch", 2, "before", 0, "cold"],
    ["the answer to a committed write", 2, "after", 1, "cold"],
    ["the one-trip write", 1, "before", 0, "warm"],
    ["the answer to a committed one-trip write", 1, "after", 1, "warm"],
  ] as const)("in %s answers 503 with Retry-After, leaves nothing half-written, and the retry counts once", async (_name, failOn, when, committed, cache) => {
    await createSite();
    await track("acme", "visitor-0001", event("pageview", "/"));
    if (cache === "cold") clearIsolateCaches();
    const before = await tableCounts();
    const body = beaconBody("acme", "visitor-0001", [event("pageview", "/contact"), event("video_play", "/")]);

    const failed = await app.fetch(beaconRequest(body), { ...env, DB: failingD1(env.DB, failOn, when) });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(await failed.json()).toEqual({ error: { code: "unavailable", message: "storage is unavailable; retry shortly" } });
    // All of the batch or none of it: two events and the visitor's new score, or nothing.
    const afterFailure = await tableCounts();
    expect(afterFailure.events - before.events).toBe(committed * 2);
    expect((await visitor("acme", "visitor-0001")).score).toBe(committed ? 1 + 1 + 5 + 2 : 1);

    // The tracker retries the same beacon: its events count once either way.
    const retry = await app.fetch(beaconRequest(body), env);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ accepted: 2 - committed * 2, duplicates: committed * 2 });
    expect((await tableCounts()).events).toBe(before.events + 2);
    expect((await visitor("acme", "visitor-0001")).score).toBe(1 + 1 + 5 + 2);
  });

  it("during an erasure answers 503 and erases nothing; the repeat erases everything", async () => {
    await createSite();
    await track("acme", "visitor-0001", event("pageview", "/"));
    const before = await tableCounts();
    const request = () => new Request("https://collector.test/api/sites/acme/visitors/visitor-0001", { method: "DELETE", headers: { authorization: `Bearer ${TOKEN}` } });
    const failed = await app.fetch(request(), { ...env, DB: failingD1(env.DB, 1, "before") });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(await tableCounts()).toEqual(before);
    expect((await app.fetch(request(), env)).status).toBe(200);
    expect((await api("/api/sites/acme/visitors/visitor-0001")).status).toBe(404);
  });
});
