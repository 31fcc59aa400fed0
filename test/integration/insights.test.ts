import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../worker/index";
import { describe, expect, it } from "vitest";
import { api, createSite, tableCounts } from "../support/api";
import { captureQueue, drainQueue } from "../support/jobs";
import { seededRandom } from "../support/outcome-population";
import { database } from "../../worker/store/db";
import { findSite } from "../../worker/store/sites";
import { readOutcomeEvidence } from "../../worker/ingest/outcome-evidence";
import { outcomeLeadsPage } from "../../worker/store/lead-models";
import { insightsAnswer, trainAnswer } from "../../worker/openapi/responses";
import type { RuleSetInput } from "../../worker/scoring/rules";

const rules: RuleSetInput = {
  prospectAt: 15,
  classes: [{ name: "warm", min: 5 }],
  rules: [
    { id: "demo", points: 10, when: { event: "demo_request" } },
    { id: "webinar", points: 5, when: { event: "webinar_attended" } },
    { id: "opens", points: 1, when: { event: "email_open" } },
  ],
};

interface InsightsJson {
  leads: number;
  won: number;
  notWon: number;
  auc: number | null;
  deciles: { leads: number; rate: number | null }[];
  rules: { rule: string; fired: { leads: number }; lift: number | null; significant: boolean }[];
  model: { current: boolean; won: number; notWon: number; weights: { feature: string; weight: number }[] } | null;
  proposedRules: unknown;
}
const insights = async (query = "") => (await (await api(`/api/sites/acme/insights${query}`)).json()) as InsightsJson;

/** Leads through the events API: a demo request makes a win likely, webinars a little, opens not at all. */
async function population(n: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const demo = random() < 0.5;
    const webinar = random() < 0.5;
    const won = random() < (demo ? 0.8 : 0.15) + (webinar ? 0.05 : 0);
    const events = [
      ...(demo ? [{ id: `demo-${i}-aaaa`, type: "demo_request", at: now - 3600_000 }] : []),
      ...(webinar ? [{ id: `web-${i}-aaaaa`, type: "webinar_attended", at: now - 3500_000 }] : []),
      { id: `open-${i}-aaaa`, type: "email_open", at: now - 3400_000 },
      won ? { id: `won-${i}-aaaaa`, type: "outcome_won", at: now - 60_000 } : { id: `lost-${i}-aaaa`, type: "outcome_lost", at: now - 60_000 },
    ];
    const res = await api("/api/sites/acme/events", "POST", { visitorId: `lead-${String(i).padStart(5, "0")}`, events });
    if (res.status !== 202) throw new Error(`population: ${res.status} ${await res.text()}`);
  }
}

describe("insights and the predictive score", () => {
  it("answers evidence from outcomes, fits a model on demand, and shows each lead's probability", async () => {
    await createSite("acme", rules);
    await population(90, 7);
    const before = await insights();
    expect(before.leads).toBe(90);
    expect(before.won + before.notWon).toBe(90);
    expect(before.auc).toBeGreaterThan(0.7);
    expect(before.deciles).toHaveLength(10);
    expect(before.rules.find((r) => r.rule === "demo")).toMatchObject({ significant: true });
    expect(before.rules.find((r) => r.rule === "opens")).toMatchObject({ lift: null, significant: false });
    expect(before.model).toBeNull();
    expect((await api("/api/sites/acme/visitors/lead-00000").then((r) => r.json())) as { probability: number | null }).toMatchObject({ probability: null });

    // The site's daily run fits the model after storing the list; training on demand fits it again.
    const tomorrowAt8 = Date.parse(`${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T08:00:00Z`);
    const queued = captureQueue();
    await worker.scheduled(createScheduledController({ scheduledTime: tomorrowAt8, cron: "0 * * * *" }), env);
    await drainQueue(queued);
    expect((await insights()).model).toMatchObject({ current: true, won: before.won });
    const trained = await api("/api/sites/acme/insights/train", "POST");
    expect(trained.status).toBe(201);
    // The answers are what the OpenAPI document says they are.
    expect(trainAnswer.safeParse(await trained.json()).error).toBeUndefined();
    const after = await insights();
    expect(insightsAnswer.safeParse(after).error).toBeUndefined();
    expect(after.model).toMatchObject({ current: true, won: before.won, notWon: before.notWon });
    expect(after.model?.weights[0]?.feature).toBe("demo");

    const lead = (await (await api("/api/sites/acme/visitors/lead-00000")).json()) as { probability: number; stage: string };
    expect(lead.probability).toBeGreaterThan(0);
    expect(lead.probability).toBeLessThan(1);
    const board = (await (await api("/api/sites/acme/visitors?limit=5")).json()) as { visitors: { probability: number | null }[] };
    expect(board.visitors.every((v) => typeof v.probability === "number")).toBe(true);
    const list = (await (await api("/api/sites/acme/prospects")).json()) as { prospects: { probability: number | null }[] };
    expect(list.prospects.length).toBeGreaterThan(0);
    expect(list.prospects.every((p) => typeof p.probability === "number")).toBe(true);

    // The proposal is a rule set the preview takes, and nothing changes until someone publishes it.
    const counts = await tableCounts();
    const preview = await api("/api/sites/acme/rules/preview", "POST", after.proposedRules);
    expect(preview.status).toBe(200);
    expect(await tableCounts()).toEqual(counts);
  });

  it("refuses to fit a model on too few outcomes", async () => {
    await createSite("acme", rules);
    await population(12, 3);
    const res = await api("/api/sites/acme/insights/train", "POST");
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("at least 30 and 30 needed");
  });

  it("counts only outcomes since the given time", async () => {
    await createSite("acme", rules);
    await population(5, 1);
    expect((await insights(`?since=${new Date(Date.now() + 60_000).toISOString()}`)).leads).toBe(0);
    expect((await insights(`?since=2020-01-01`)).leads).toBe(5);
    expect((await api("/api/sites/acme/insights?since=yesterday")).status).toBe(400);
  });

  it("reads leads with an outcome only, however many leads the site has", async () => {
    await createSite("acme", rules);
    await population(3, 2);
    const insert = env.DB.prepare(
      "INSERT INTO visitors (site_id, id, score, state, version, first_seen, last_seen) VALUES ('acme', ?, 0, ?, 1, 0, 0)",
    );
    const empty = JSON.stringify({ n: 0, firstTs: null, lastTs: null, visits: 0, visitStart: null, activeDays: 0, lastDay: null, rules: {}, dimensions: {}, lastOf: {}, prospectSince: null, email: null, traits: {} });
    await env.DB.batch(Array.from({ length: 500 }, (_, i) => insert.bind(`quiet-${i}-lead`, empty)));
    const site = await findSite(database(env.DB), "acme");
    const evidence = await readOutcomeEvidence(database(env.DB), site!, 0, Date.now());
    expect(evidence?.leads).toHaveLength(3);
    // The page query itself, run bare so D1 reports the rows it read: the outcome index finds the 3
    // leads without touching the 500 others.
    const query = outcomeLeadsPage(database(env.DB), "acme", 0, 200) as unknown as { toSQL(): { sql: string; params: unknown[] } };
    const { sql, params } = query.toSQL();
    const result = await env.DB.prepare(sql).bind(...params).all();
    expect(result.results).toHaveLength(3);
    expect(result.meta.rows_read).toBeLessThanOrEqual(6);
  });
});
