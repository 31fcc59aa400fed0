import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { visitors } from "../../schema";
import { FILTER_SCAN } from "../../worker/ingest/leaderboard";
import { emptyState, type ScoreState } from "../../worker/scoring/state";
import { database } from "../../worker/store/db";
import { api, createSite, event, signEmail, track } from "../support/api";
import type { RuleSetInput } from "../../worker/scoring/rules";

interface Page<T> {
  nextCursor: string | null;
  [key: string]: unknown;
  items?: T[];
}

async function json<T>(path: string): Promise<T> {
  const res = await api(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

/** Follows nextCursor from `path` to the end, gathering `key` of each page. */
async function allPages<T>(path: string, key: string): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await json(`${path}${path.includes("?") ? "&" : "?"}${cursor ? `cursor=${cursor}` : ""}`);
    pages.push(page[key] as T[]);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

const fitRules: RuleSetInput = {
  prospectAt: 12,
  classes: [{ name: "warm", min: 5 }, { name: "hot", min: 10 }],
  grades: { fit: [{ grade: "A", min: 10 }, { grade: "B", min: 0 }], engagement: [{ grade: "1", min: 5 }, { grade: "2", min: 0 }] },
  dimensions: { engagement: { floor: 0 } },
  rules: [
    { id: "page-view", points: 1, when: { event: "pageview" } },
    { id: "contact", label: "Contact page", points: 5, when: { event: "pageview", path: "/contact" } },
    { id: "director", points: 10, when: { trait: "title", contains: "director" } },
  ],
};

describe("a lead's event timeline", () => {
  it("pages through every event of all the lead's visitor ids, newest first, each once", async () => {
    await createSite();
    await track("acme", "browser-a-01", event("pageview", "/", 50_000), event("pageview", "/a", 40_000));
    // Signed by the site's backend: only verified identifies join leads.
    await track("acme", "browser-a-01", event("identify", "/", 30_000, { d: { email: "ana@example.com", sig: await signEmail("acme", "ana@example.com") } }));
    await track("acme", "browser-b-01", event("pageview", "/b", 20_000), event("identify", "/", 10_000, { d: { email: "ana@example.com", sig: await signEmail("acme", "ana@example.com") } }));
    await track("acme", "browser-b-01", event("pageview", "/c"));
    await track("acme", "stranger-01", event("pageview", "/x"));

    const pages = await allPages<{ id: string; visitorId: string; path: string | null }>("/api/sites/acme/visitors/browser-b-01/events?limit=2", "events");
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    const all = pages.flat();
    expect(all.map((e) => e.path)).toEqual(["/c", "/", "/b", "/", "/a", "/"]);
    expect(new Set(all.map((e) => e.id)).size).toBe(6);
    expect(new Set(all.map((e) => e.visitorId))).toEqual(new Set(["browser-a-01", "browser-b-01"]));
    // By email, the same lead.
    const byEmail = await json<{ visitorId: string; events: unknown[] }>("/api/sites/acme/visitors/ana@example.com/events?limit=500");
    expect(byEmail.events).toHaveLength(6);
  });

  it.each([
    ["a forged cursor", "/api/sites/acme/visitors/browser-a-01/events?cursor=WzEsMl0", 400],
    ["a limit over 500", "/api/sites/acme/visitors/browser-a-01/events?limit=501", 400],
    ["an unknown lead", "/api/sites/acme/visitors/nobody-000/events", 404],
    ["a malformed email", "/api/sites/acme/visitors/a@b@c/events", 400],
  ])("answers %s with %s", async (_name, path, status) => {
    await createSite();
    await track("acme", "browser-a-01", event("pageview"));
    expect((await api(path)).status).toBe(status);
  });
});

describe("a lead's score history", () => {
  it("gives the score and dimensions after every event and the points each event moved, paged, ending at the live score", async () => {
    await createSite("acme", fitRules);
    await track("acme", "lead-0001", event("pageview", "/", 60_000), event("pageview", "/contact", 50_000));
    await track("acme", "lead-0001", event("identify", "/", 40_000, { d: { email: "bo@example.com", title: "Sales Director" } }));
    await track("acme", "lead-0001", event("identify", "/", 30_000, { d: { title: "Intern" } }));

    const pages = await allPages<{ event: { type: string; path: string | null }; score: number; delta: number; dimensions: Record<string, number>; prospect: boolean; points: { rule: string; points: number }[] }>(
      "/api/sites/acme/visitors/lead-0001/history?limit=3",
      "history",
    );
    expect(pages.map((p) => p.length)).toEqual([3, 1]);
    const steps = pages.flat();
    expect(steps.map((s) => [s.event.type, s.score, s.delta])).toEqual([
      ["pageview", 1, 1],
      ["pageview", 7, 6],
      ["identify", 17, 10],
      ["identify", 7, -10],
    ]);
    expect(steps[1]?.points).toEqual([
      { rule: "page-view", label: "page-view", dimension: "engagement", points: 1 },
      { rule: "contact", label: "Contact page", dimension: "engagement", points: 5 },
    ]);
    expect(steps[2]?.points).toEqual([{ rule: "director", label: "director", dimension: "fit", points: 10 }]);
    expect(steps[2]).toMatchObject({ dimensions: { engagement: 7, fit: 10 }, prospect: true });
    expect(steps[3]?.points).toEqual([{ rule: "director", label: "director", dimension: "fit", points: -10 }]);
    const live = await json<{ score: number }>("/api/sites/acme/visitors/lead-0001");
    expect(steps.at(-1)?.score).toBe(live.score);
  });
});

describe("leaderboard lookups and filters", () => {
  async function seed() {
    await createSite("acme", fitRules);
    // scores: d1 = 1 (B2, cold), w1 = 6 (B1, warm), h1 = 11 (A2, hot), p1 = 16 (A1 prospect, hot)
    await track("acme", "lead-d1-000", event("pageview", "/", 90_000));
    await track("acme", "lead-w1-000", event("pageview", "/contact", 80_000));
    // Signed by the site's backend: lookups by email find verified emails only.
    await track("acme", "lead-h1-000", event("pageview", "/", 70_000), event("identify", "/", 65_000, { d: { email: "h@example.com", sig: await signEmail("acme", "h@example.com"), title: "Director" } }));
    await track("acme", "lead-p1-000", event("pageview", "/contact", 60_000), event("identify", "/", 55_000, { d: { email: "P@Example.com", sig: await signEmail("acme", "P@Example.com"), title: "director", company: "Acme" } }));
  }

  it("finds a lead by email, whatever its case, and answers an empty list for an unknown one", async () => {
    await seed();
    const found = await json<{ visitors: { id: string; email: string }[] }>("/api/sites/acme/visitors?email=p@EXAMPLE.com");
    expect(found.visitors.map((v) => [v.id, v.email])).toEqual([["lead-p1-000", "p@example.com"]]);
    expect((await json<{ visitors: unknown[] }>("/api/sites/acme/visitors?email=nobody@example.com")).visitors).toEqual([]);
    expect((await json<{ id: string }>("/api/sites/acme/visitors/p@example.com")).id).toBe("lead-p1-000");
    expect((await api("/api/sites/acme/visitors?email=not-an-email")).status).toBe(400);
  });

  it.each([
    ["class=hot", ["lead-p1-000", "lead-h1-000"]],
    ["class=warm", ["lead-w1-000"]],
    ["grade=A1", ["lead-p1-000"]],
    ["grade=B2", ["lead-d1-000"]],
    ["prospect=true", ["lead-p1-000"]],
    ["prospect=false", ["lead-h1-000", "lead-w1-000", "lead-d1-000"]],
    ["trait=title:DIRECTOR", ["lead-p1-000", "lead-h1-000"]],
    ["trait=company:acme&class=hot", ["lead-p1-000"]],
    ["order=lastSeen", ["lead-p1-000", "lead-h1-000", "lead-w1-000", "lead-d1-000"]],
    ["order=lastSeen&prospect=false", ["lead-h1-000", "lead-w1-000", "lead-d1-000"]],
  ])("narrows the leaderboard with %s, across pages", async (query, ids) => {
    await seed();
    const pages = await allPages<{ id: string }>(`/api/sites/acme/visitors?${query}&limit=1`, "visitors");
    expect(pages.flat().map((v) => v.id)).toEqual(ids);
  });

  it.each([
    ["an unknown class", "class=lukewarm"],
    ["a trait filter without a value", "trait=title"],
    ["a prospect flag that is not true or false", "prospect=yes"],
    ["a cursor from another order", "order=lastSeen&cursor=WyJzY29yZSIsMSwiYSJd"],
  ])("refuses %s with a 400 naming the field", async (_name, query) => {
    await seed();
    const res = await api(`/api/sites/acme/visitors?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/class|trait|prospect|cursor/);
  });
});

describe("a filtered leaderboard page", () => {
  it(`looks at ${FILTER_SCAN} leads at most, answering a short page with a cursor to go on from`, async () => {
    await createSite("acme", fitRules);
    const db = database(env.DB);
    const now = Date.now();
    // FILTER_SCAN anonymous leads with higher scores, then one A-grade lead below them all.
    const rows: { id: string; score: number; title: string | null }[] = Array.from({ length: FILTER_SCAN }, (_, i) => ({ id: `bulk-${String(i).padStart(6, "0")}`, score: 1000 - i / 1000, title: null }));
    rows.push({ id: "fit-lead-01", score: 1, title: "Director" });
    const values = rows.map((r) => {
      const state: ScoreState = { ...emptyState(), n: 1, firstTs: now, lastTs: now, visits: 1, traits: r.title ? { title: r.title } : {} };
      return { siteId: "acme", id: r.id, score: r.score, state, version: 1, firstSeen: now, lastSeen: now };
    });
    const inserts = [];
    for (let i = 0; i < values.length; i += 8) inserts.push(db.insert(visitors).values(values.slice(i, i + 8)));
    await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);

    const first = await json<{ visitors: { id: string }[]; nextCursor: string | null }>("/api/sites/acme/visitors?grade=A2&limit=10");
    expect(first.visitors).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const second = await json<{ visitors: { id: string }[]; nextCursor: string | null }>(`/api/sites/acme/visitors?grade=A2&limit=10&cursor=${first.nextCursor}`);
    expect(second.visitors.map((v) => v.id)).toEqual(["fit-lead-01"]);
    expect(second.nextCursor).toBeNull();
  });
});
