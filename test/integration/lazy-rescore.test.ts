import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { replayLead } from "../../worker/ingest/rescore-lead";
import { database } from "../../worker/store/db";
import { findSite } from "../../worker/store/sites";
import { findVisitor } from "../../worker/store/visitor-reads";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import { createSite, event, signedIdentify, track, visitor } from "../support/api";

const V1: RuleSetInput = { prospectAt: 100, rules: [{ id: "pv", points: 1, when: { event: "pageview" } }] };
const V2: RuleSetInput = {
  prospectAt: 100,
  classes: [{ name: "warm", min: 20 }],
  dimensions: { engagement: { decay: { halfLifeDays: 30 } } },
  rules: [
    { id: "pv", points: 10, when: { event: "pageview" } },
    { id: "contact", points: 5, when: { event: "pageview", path: "/contact" } },
  ],
};

/** Makes V2 the site's rules in force without touching any lead, as a rescore job does before it starts. */
async function switchRulesWithoutRescoring(siteId: string): Promise<void> {
  const rules = JSON.stringify(ruleSetSchema.parse(V2));
  await env.DB.batch([
    env.DB.prepare("INSERT INTO rule_sets (site_id, version, rules, created_at) VALUES (?, 2, ?, ?)").bind(siteId, rules, Date.now()),
    env.DB.prepare("UPDATE sites SET rules_version = 2 WHERE id = ?").bind(siteId),
  ]);
}

const row = (id: string) => findVisitor(database(env.DB), "acme", id);

describe("a lead still under an older rule set", () => {
  it("is replayed under the rules in force on its own next write, and stamped with their version", async () => {
    await createSite("acme", V1);
    await track("acme", "visitor-lazy1", event("pageview", "/"), event("pageview", "/contact"));
    expect((await row("visitor-lazy1"))?.rulesVersion).toBe(1);
    await switchRulesWithoutRescoring("acme");

    await track("acme", "visitor-lazy1", event("pageview", "/contact"));
    const after = await row("visitor-lazy1");
    expect(after?.rulesVersion).toBe(2);
    // All three page views under V2: 3 x 10 + 2 x 5, the new one included, nothing counted twice.
    expect(after?.state.rules.pv?.fired).toBe(3);
    expect(after?.state.rules.contact?.fired).toBe(2);
    expect((await visitor("acme", "visitor-lazy1")).score).toBeCloseTo(40, 1);
    // Under V2 the 40 points halve in 30 days, down to the warm class's 20: the row says when.
    const due = (after?.nextChangeAt as number) - (after?.state.lastTs as number);
    expect(due).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(due).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it("replayLead replays one lead with all its visitor ids under the rules given", async () => {
    await createSite("acme", V1);
    await track("acme", "laptop-00001", event("pageview", "/"));
    await track("acme", "phone-000001", event("pageview", "/contact"));
    // Signed identifies: only a verified email joins the two visitors into one lead.
    await track("acme", "laptop-00001", await signedIdentify("acme", "ana@example.com"));
    await track("acme", "phone-000001", await signedIdentify("acme", "ana@example.com"));
    const lead = (await row("laptop-00001")) ?? (await row("phone-000001"));
    const leadId = lead?.leadId ?? lead?.id;
    await switchRulesWithoutRescoring("acme");

    const db = database(env.DB);
    const site = await findSite(db, "acme");
    const replayed = await replayLead(db, site!, ruleSetSchema.parse(V2), leadId as string);
    expect(replayed.state.rules.pv?.fired).toBe(2);
    expect(replayed.state.rules.contact?.fired).toBe(1);
    expect(replayed.lastSeq).toBeGreaterThanOrEqual((await row(leadId as string))?.lastSeq ?? 0);
  });
});
