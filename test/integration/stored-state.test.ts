import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, claimedIdentify, createSite, event, track, visitor } from "../support/api";
import { database } from "../../worker/store/db";
import { leadTotals } from "../../worker/store/site-days";
import { decodeState } from "../../worker/store/state-codec";

const storedState = async (id: string) =>
  (await env.DB.prepare("SELECT state FROM visitors WHERE site_id = 'acme' AND id = ?").bind(id).first<{ state: string }>())?.state as string;

/** Rewrites a visitor's stored state in the long-key form the collector wrote before the compact one. */
async function asLongForm(id: string): Promise<void> {
  const long = JSON.stringify(decodeState(await storedState(id)));
  await env.DB.prepare("UPDATE visitors SET state = ? WHERE site_id = 'acme' AND id = ?").bind(long, id).run();
}

const fired = (v: { breakdown: { rule: string; fired: number }[] }) => Object.fromEntries(v.breakdown.map((b) => [b.rule, b.fired]));

describe("visitors' stored score state", () => {
  it("is written in the compact form and read back as scored", async () => {
    await createSite();
    await track("acme", "compact-0001", event("pageview", "/pricing", 60_000), claimedIdentify("c@acme.example", { title: "Director" }));
    const state = await storedState("compact-0001");
    expect(JSON.parse(state)).not.toHaveProperty("rules");
    expect(decodeState(state)).toMatchObject({ n: 2, email: "c@acme.example", traits: { title: "Director" } });
  });

  it("reads leads stored in the long-key form: scores, trait filters and totals, and rewrites them compact on their next event", async () => {
    await createSite();
    for (const id of ["compact-0001", "longform-0001"]) {
      await track("acme", id, event("pageview", "/pricing", 120_000), claimedIdentify(`${id}@acme.example`, { title: "Director" }), event("pageview", "/", 60_000));
    }
    const before = await visitor("acme", "longform-0001");
    await asLongForm("longform-0001");
    expect(JSON.parse(await storedState("longform-0001"))).toHaveProperty("rules");

    expect(fired(await visitor("acme", "longform-0001"))).toEqual(fired(before));
    const byTrait = (await (await api("/api/sites/acme/visitors?trait=title:director")).json()) as { visitors: { id: string }[] };
    expect(byTrait.visitors.map((v) => v.id).sort()).toEqual(["compact-0001", "longform-0001"]);
    const totals = await leadTotals(database(env.DB), "acme", [{ name: "cold", min: 0 }]);
    expect(totals).toMatchObject({ leads: 2, eventsTotal: 6 });

    await track("acme", "longform-0001", event("pageview", "/pricing"));
    await track("acme", "compact-0001", event("pageview", "/pricing"));
    expect(JSON.parse(await storedState("longform-0001"))).not.toHaveProperty("rules");
    expect(fired(await visitor("acme", "longform-0001"))).toEqual(fired(await visitor("acme", "compact-0001")));
    expect(decodeState(await storedState("longform-0001"))).toMatchObject({ n: 4, traits: { title: "Director" } });
  });
});
