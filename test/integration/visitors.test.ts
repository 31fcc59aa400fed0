import { describe, expect, it } from "vitest";
import { api, createSite, event, track, visitor } from "../support/api";
import { signIn } from "../support/console";
import { seedAliases } from "../support/seed";

describe("visitors", () => {
  it("lists visitors by score, a page at a time", async () => {
    await createSite();
    for (let i = 1; i <= 5; i++) {
      await track("acme", `visitor-000${i}`, ...Array.from({ length: i }, () => event("pageview")));
    }
    const page1 = (await (await api("/api/sites/acme/visitors?order=score&limit=2")).json()) as { visitors: { id: string; score: number }[]; nextCursor: string };
    expect(page1.visitors.map((v) => [v.id, v.score])).toEqual([["visitor-0005", 5], ["visitor-0004", 4]]);
    const page2 = (await (await api(`/api/sites/acme/visitors?limit=2&cursor=${page1.nextCursor}`)).json()) as { visitors: { id: string }[]; nextCursor: string };
    expect(page2.visitors.map((v) => v.id)).toEqual(["visitor-0003", "visitor-0002"]);
    const page3 = (await (await api(`/api/sites/acme/visitors?limit=2&cursor=${page2.nextCursor}`)).json()) as { visitors: { id: string }[]; nextCursor: string | null };
    expect(page3.visitors.map((v) => v.id)).toEqual(["visitor-0001"]);
    expect(page3.nextCursor).toBeNull();
  });

  it("explains a visitor: breakdown per rule, visits, first and last seen, identity and recent events", async () => {
    await createSite();
    await track("acme", "visitor-0001", event("pageview", "/contact", 3_600_000), event("video_play", "/", 3_500_000));
    await track("acme", "visitor-0001", event("pageview", "/"), event("identify", "/", 0, { d: { email: "Ana@Acme.example", title: "Director" } }));
    const v = await visitor("acme", "visitor-0001");
    expect(v).toMatchObject({
      id: "visitor-0001",
      score: 9,
      prospect: false,
      visits: 2,
      breakdown: [
        { rule: "contact-page", label: "Contact page view", dimension: "engagement", points: 5, earned: 5, fired: 1 },
        { rule: "page-view", label: "Page view", dimension: "engagement", points: 2, earned: 2, fired: 2 },
        { rule: "video-play", label: "Video play", dimension: "engagement", points: 2, earned: 2, fired: 1 },
      ],
      identity: { email: "ana@acme.example", traits: { title: "Director" } },
    });
    expect(v.recentEvents.map((e) => e.type)).toEqual(["identify", "pageview", "video_play", "pageview"]);
  });

  it("answers for a lead with more visitor ids than one statement can bind, on every page about it", async () => {
    await createSite();
    await track("acme", "visitor-0001", event("pageview"), event("video_play"));
    await seedAliases("acme", "visitor-0001", 150);
    const v = await visitor("acme", "visitor-0001");
    expect(v.visitorIds).toHaveLength(151);
    expect(v.recentEvents.map((e) => e.type)).toEqual(["video_play", "pageview"]);
    for (const path of ["/api/sites/acme/visitors/alias-0149/events", "/api/sites/acme/visitors/visitor-0001/history"]) expect((await api(path)).status).toBe(200);
    const user = await signIn("acme");
    expect((await user.get("/app/sites/acme/leads/visitor-0001")).status).toBe(200);
    expect((await user.get("/app/sites/acme/leads/visitor-0001/erase")).status).toBe(200);
  });

  it.each([
    ["an unknown visitor", "/api/sites/acme/visitors/visitor-none", 404],
    ["an invalid visitor id", "/api/sites/acme/visitors/a%20b", 400],
    ["an unknown site", "/api/sites/nobody/visitors", 404],
    ["a limit of 0", "/api/sites/acme/visitors?limit=0", 400],
    ["an unknown order", "/api/sites/acme/visitors?order=name", 400],
    ["a forged cursor", "/api/sites/acme/visitors?cursor=bm9wZQ", 400],
  ])("answers %s with %i", async (_name, path, status) => {
    await createSite();
    const res = await api(path);
    expect(res.status).toBe(status);
    expect(Object.keys(((await res.json()) as { error: object }).error)).toEqual(["code", "message"]);
  });
});
