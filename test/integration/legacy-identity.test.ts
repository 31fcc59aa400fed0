import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, createSite, event, track, visitor } from "../support/api";
import { captureQueue, drainQueue } from "../support/jobs";
import { decodeState } from "../../worker/store/state-codec";

/** The data statements of the verified-identity migration, run again over rows shaped as before it. */
async function migrateLegacyRows(): Promise<void> {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0004_"));
  if (!migration) throw new Error("no 0004 migration");
  for (const query of migration.queries.filter((q) => q.trimStart().startsWith("UPDATE") || q.includes("\nUPDATE"))) {
    await env.DB.prepare(query.slice(query.indexOf("UPDATE"))).run();
  }
}

/** Makes the site's stored rows look as the collector wrote them before verification existed. */
async function asBeforeVerification(): Promise<void> {
  await env.DB.prepare("UPDATE events SET props = json_remove(props, '$.__verified') WHERE type = 'identify'").run();
  // States were stored in the long-key form then (see store/state-codec.ts), without emailVerified.
  const rows = await env.DB.prepare("SELECT site_id, id, state FROM visitors").all<{ site_id: string; id: string; state: string }>();
  for (const row of rows.results) {
    const { emailVerified: _dropped, ...long } = decodeState(row.state);
    await env.DB.prepare("UPDATE visitors SET state = ? WHERE site_id = ? AND id = ?").bind(JSON.stringify(long), row.site_id, row.id).run();
  }
  await env.DB.prepare("UPDATE visitors SET email = json_extract(state, '$.email') WHERE lead_id IS NULL").run();
}

describe("leads identified before verification existed", () => {
  it("stay verified and findable by their email, through a rescore and later beacons", async () => {
    await createSite();
    await track("acme", "old-laptop-01", event("pageview", "/contact"), event("identify", "/", 0, { d: { email: "old@acme.example" } }));
    await asBeforeVerification();
    expect((await visitor("acme", "old-laptop-01")) as unknown).toMatchObject({ emailVerified: false });
    await migrateLegacyRows();

    expect((await visitor("acme", "old-laptop-01")) as unknown).toMatchObject({ email: "old@acme.example", emailVerified: true });
    const rules = (await (await api("/api/sites/acme/rules")).json()) as { rules: unknown };
    const queued = captureQueue();
    expect((await api("/api/sites/acme/rules", "PUT", rules.rules)).status).toBe(202);
    await drainQueue(queued);
    expect((await visitor("acme", "old-laptop-01")) as unknown).toMatchObject({ email: "old@acme.example", emailVerified: true });
    // An ordinary beacon keeps the lead in the email index, so server-side events by email still find it.
    await track("acme", "old-laptop-01", event("pageview"));
    const res = await api("/api/sites/acme/events", "POST", { email: "old@acme.example", events: [{ id: "click-00009", type: "email_click", at: Date.now() }] });
    expect(((await res.json()) as { visitorId: string }).visitorId).toBe("old-laptop-01");
  });
});
