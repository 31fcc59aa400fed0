import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../worker/store/db";
import { leadGroup } from "../../worker/store/leads";
import { oldestLeadWithEmail, scanLeaders, type ScanCursor } from "../../worker/store/visitor-reads";
import { meteredD1, type RowMeter } from "../support/metered-d1";
import { createSite } from "../support/api";

const LEADS = 3_000;

/** LEADS leads straight into D1, every one with the same score (one big tie group), plus a few merged rows. */
async function seedTies(siteId: string): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${LEADS})
     INSERT INTO visitors (site_id, id, score, state, version, first_seen, last_seen)
     SELECT ?, printf('lead-%05d', i), 5, '{}', 1, 0, 0 FROM n`,
  )
    .bind(siteId)
    .run();
  await env.DB.prepare(
    `INSERT INTO visitors (site_id, id, lead_id, score, state, version, first_seen, last_seen) VALUES
     (?1, 'phone-01500', 'lead-01500', 0, '{}', 1, 0, 0), (?1, 'tablet-01500', 'lead-01500', 0, '{}', 1, 0, 0)`,
  )
    .bind(siteId)
    .run();
}

function metered() {
  const meter: RowMeter = { read: 0, written: 0, statements: 0 };
  return { meter, db: database(meteredD1(env.DB, meter)) };
}

describe("lookups on a site with thousands of leads", () => {
  it("pages the leaderboard inside one tie group reading about a page of rows, with no sort", async () => {
    await createSite("acme");
    await seedTies("acme");
    const plan = await env.DB.prepare(
      "EXPLAIN QUERY PLAN SELECT id FROM visitors WHERE site_id = ? AND lead_id IS NULL AND (score, id) < (?, ?) ORDER BY score DESC, id DESC LIMIT 10",
    )
      .bind("acme", 5, "lead-01500")
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toContain("visitors_by_score");
    expect(details).not.toMatch(/TEMP B-TREE|SCAN visitors\b/);

    const { meter, db } = metered();
    const page = await scanLeaders(db, "acme", { order: "score", after: { key: 5, id: "lead-01500" }, scan: 10 });
    expect(page.rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `lead-${String(1499 - i).padStart(5, "0")}`));
    expect(page.end).toEqual({ key: 5, id: "lead-01490" });
    // The window's ids, its rows by key, and the window's last key: a small multiple of the page, not the
    // 1,500 tied leads before the cursor.
    expect(meter.read).toBeLessThanOrEqual(100);
  });

  it("walks every lead exactly once, best first, merged rows left out", async () => {
    await createSite("acme");
    await seedTies("acme");
    const db = database(env.DB);
    const seen: string[] = [];
    let after: ScanCursor | undefined;
    for (;;) {
      const window = await scanLeaders(db, "acme", { order: "score", after, scan: 500 });
      seen.push(...window.rows.map((r) => r.id));
      if (!window.end) break;
      after = window.end;
    }
    expect(seen).toHaveLength(LEADS);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it("reads a lead's own rows only to find its group, not the site's 3,000", async () => {
    await createSite("acme");
    await seedTies("acme");
    const { meter, db } = metered();
    const group = await leadGroup(db, "acme", "lead-01500");
    expect(group.map((r) => r.id).sort()).toEqual(["lead-01500", "phone-01500", "tablet-01500"]);
    expect(meter.read).toBeLessThanOrEqual(10);
  });

  it("finds a lead by email reading its rows only", async () => {
    await createSite("acme");
    await seedTies("acme");
    await env.DB.prepare("UPDATE visitors SET email = 'ana@example.com' WHERE site_id = 'acme' AND id IN ('lead-00007', 'lead-02000')").run();
    const { meter, db } = metered();
    const [oldest, other] = await db.batch([oldestLeadWithEmail(db, "acme", "Ana@Example.com"), oldestLeadWithEmail(db, "acme", "ana@example.com", "lead-00007")]);
    expect(oldest.map((r) => r.id)).toEqual(["lead-00007"]);
    expect(other.map((r) => r.id)).toEqual(["lead-02000"]);
    expect(meter.read).toBeLessThanOrEqual(20);
  });
});
