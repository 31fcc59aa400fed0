import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { VisitorRow } from "../../schema";
import { database } from "../../worker/store/db";
import { RESCORE_JSON_BYTES, rescoredLeadWrites, type RescoredLead } from "../../worker/store/rescored-leads";
import { findVisitor } from "../../worker/store/visitor-reads";
import type { ScoreState } from "../../worker/scoring/state";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import { createSite } from "../support/api";
import { seedLeads } from "../support/seed";

const V1: RuleSetInput = { prospectAt: 1000, rules: [{ id: "pv", points: 1, when: { event: "pageview" } }] };
const SETTINGS = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
const leadId = (i: number) => `lead-${String(i).padStart(4, "0")}`;

/** A D1 database that records the parameters every statement prepared through it binds. */
function recordingD1(db: D1Database, bound: unknown[][]): D1Database {
  return new Proxy(db, {
    get(target, key) {
      if (key === "prepare") {
        return (query: string) => {
          const prepared = target.prepare(query);
          return new Proxy(prepared, {
            get(s, k) {
              if (k === "bind") {
                return (...values: unknown[]) => {
                  bound.push(values);
                  return s.bind(...values);
                };
              }
              const value = Reflect.get(s, k);
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** `count` seeded leads on V1 (three page views each), as a chunk reads them. */
async function seeded(count: number): Promise<VisitorRow[]> {
  await createSite("acme", V1);
  const ids = Array.from({ length: count }, (_, i) => leadId(i));
  await seedLeads("acme", ids, 3, ruleSetSchema.parse(V1), SETTINGS);
  return Promise.all(ids.map(async (id) => (await findVisitor(database(env.DB), "acme", id)) as VisitorRow));
}

/** The lead rescored to a new state (rules version 2), with `change` applied to a copy of its state. */
function rescored(lead: VisitorRow, score: number, change: (s: ScoreState) => void = () => {}): RescoredLead {
  const state = structuredClone(lead.state);
  change(state);
  return { lead, values: { state, score, prospectSince: null, nextChangeAt: null, rulesVersion: 2, lastSeq: lead.lastSeq } };
}

const row = (id: string) => findVisitor(database(env.DB), "acme", id);
const bytes = (s: unknown) => new TextEncoder().encode(s as string).length;

describe("storing a chunk of rescored leads", () => {
  it("splits the leads' JSON into statements of at most 1 MB when they add up to more, and every lead lands", async () => {
    const leads = await seeded(5);
    // Five leads of about 300 kB each: three fit one statement's 1 MB, the other two go in a second one.
    const chunk = leads.map((l, i) => rescored(l, 10 + i, (s) => (s.traits.notes = `${i}`.repeat(300_000))));
    const bound: unknown[][] = [];
    const writes = rescoredLeadWrites(database(recordingD1(env.DB, bound)), "acme", chunk, 40);
    expect([writes.statements.length, writes.stored]).toEqual([2, 5]);
    const json = bound.map((params) => params[1]);
    expect(json.map((j) => (JSON.parse(j as string) as unknown[]).length)).toEqual([3, 2]);
    for (const j of json) expect(bytes(j)).toBeLessThanOrEqual(RESCORE_JSON_BYTES);

    await env.DB.batch(writes.statements);
    for (let i = 0; i < 5; i++) {
      const stored = await row(leadId(i));
      expect([stored?.score, stored?.version, stored?.rulesVersion, stored?.state.traits.notes]).toEqual([10 + i, 2, 2, `${i}`.repeat(300_000)]);
    }
  });

  it("takes leads in order only as far as the statements it may use carry them", async () => {
    const leads = await seeded(10);
    const chunk = leads.map((l) => rescored(l, 50));
    // Each lead's JSON is a few hundred bytes: a 1,000-byte budget carries two or so per statement.
    const writes = rescoredLeadWrites(database(env.DB), "acme", chunk, 2, 1_000);
    expect(writes.statements).toHaveLength(2);
    expect(writes.stored).toBeGreaterThan(1);
    expect(writes.stored).toBeLessThan(10);
    await env.DB.batch(writes.statements);
    for (let i = 0; i < 10; i++) expect((await row(leadId(i)))?.score).toBe(i < writes.stored ? 50 : 3);
  });

  it("sets the email, outcome and account columns from the replayed state, in their own statement only for the rows where they change", async () => {
    const [plain, identified] = (await seeded(2)) as [VisitorRow, VisitorRow];
    const at = Date.now();
    const chunk = [
      rescored(plain, 20),
      rescored(identified, 30, (s) => {
        s.email = "ada@example.com";
        s.emailVerified = true;
        s.outcome = { outcome: "won", at };
      }),
    ];
    const bound: unknown[][] = [];
    const writes = rescoredLeadWrites(database(recordingD1(env.DB, bound)), "acme", chunk, 40);
    expect(bound.map((params) => (JSON.parse(params[1] as string) as { id: string }[]).map((e) => e.id))).toEqual([[plain.id], [identified.id]]);
    await env.DB.batch(writes.statements);
    const [a, b] = [await row(plain.id), await row(identified.id)];
    expect([a?.score, a?.email, a?.outcome, a?.outcomeAt, a?.account]).toEqual([20, null, null, null, null]);
    expect([b?.score, b?.email, b?.outcome, b?.outcomeAt, b?.account]).toEqual([30, "ada@example.com", "won", at, "example.com"]);
  });

  it("writes nothing over a lead written since it was read, and never inserts one erased meanwhile", async () => {
    const [moved, erased, kept] = (await seeded(3)) as [VisitorRow, VisitorRow, VisitorRow];
    await env.DB.batch([
      env.DB.prepare("UPDATE visitors SET score = 99, version = version + 1 WHERE site_id = 'acme' AND id = ?").bind(moved.id),
      env.DB.prepare("DELETE FROM visitors WHERE site_id = 'acme' AND id = ?").bind(erased.id),
    ]);
    const writes = rescoredLeadWrites(database(env.DB), "acme", [rescored(moved, 7), rescored(erased, 7), rescored(kept, 7)], 40);
    await env.DB.batch(writes.statements);
    expect([(await row(moved.id))?.score, (await row(moved.id))?.version]).toEqual([99, 2]);
    expect(await row(erased.id)).toBeUndefined();
    expect([(await row(kept.id))?.score, (await row(kept.id))?.version]).toEqual([7, 2]);
  });
});
