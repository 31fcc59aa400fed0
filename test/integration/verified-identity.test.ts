import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  api,
  beaconBody,
  call,
  claimedIdentify,
  createSite,
  event,
  sendBeacon,
  signEmail,
  signedIdentify,
  tableCounts,
  track,
  visitor,
} from "../support/api";

interface Identity {
  email: string | null;
  emailVerified: boolean;
  traits: Record<string, unknown>;
}
type LeadJson = Awaited<ReturnType<typeof visitor>> & { email: string | null; emailVerified: boolean; identity: Identity };

const lead = async (id: string) => (await visitor("acme", id)) as LeadJson;
const leaderboard = async () =>
  ((await (await api("/api/sites/acme/visitors?limit=50")).json()) as { visitors: { id: string; email: string | null; emailVerified: boolean; score: number }[] }).visitors;
const csvLines = async () => (await (await api("/api/sites/acme/prospects?format=csv")).text()).trimEnd().split("\r\n");
const RULES = { prospectAt: 10, rules: [{ id: "contact", points: 6, when: { event: "pageview", path: "/contact" } }, { id: "director", points: 3, when: { trait: "title", equals: "Director" } }] };

/** A known lead: a prospect whose email and title the site's CRM sent through the API. */
async function victim() {
  await createSite("acme", RULES);
  await track("acme", "victim-browser", event("pageview", "/contact"), event("pageview", "/contact"));
  const crm = [{ id: "crm-0000001", type: "identify", at: Date.now(), props: { email: "ana@acme.example", title: "Director" } }];
  expect((await api("/api/sites/acme/events", "POST", { visitorId: "victim-browser", events: crm })).status).toBe(202);
  return lead("victim-browser");
}

describe("an unsigned identify is a claim on its own visitor", () => {
  it("does not merge a stranger into a known lead, nor let it change that lead's email", async () => {
    const before = await victim();
    expect(before).toMatchObject({ score: 15, email: "ana@acme.example", emailVerified: true, visitorIds: ["victim-browser"] });

    // The stranger names the victim's email, then its own.
    await track("acme", "attacker-001", event("pageview"), claimedIdentify("ana@acme.example", { title: "Intern" }));
    await track("acme", "attacker-001", claimedIdentify("mallory@evil.example"));

    const after = await lead("victim-browser");
    expect(after).toMatchObject({ score: 15, email: "ana@acme.example", emailVerified: true, visitorIds: ["victim-browser"] });
    expect(after.identity.traits).toMatchObject({ title: "Director" });
    const attacker = await lead("attacker-001");
    expect(attacker).toMatchObject({ id: "attacker-001", visitorIds: ["attacker-001"], score: 0, email: "mallory@evil.example", emailVerified: false });
    expect(attacker.identity).toMatchObject({ email: "mallory@evil.example", emailVerified: false, traits: { title: "Intern" } });

    expect((await leaderboard()).map((v) => [v.id, v.email, v.emailVerified])).toEqual([
      ["victim-browser", "ana@acme.example", true],
      ["attacker-001", "mallory@evil.example", false],
    ]);
    const prospects = (await (await api("/api/sites/acme/prospects")).json()) as { prospects: { visitorId: string; email: string; emailVerified: boolean }[] };
    expect(prospects.prospects.map((p) => [p.visitorId, p.email, p.emailVerified])).toEqual([["victim-browser", "ana@acme.example", true]]);
    const csv = await csvLines();
    expect(csv[0]).toBe("visitor_id,email,score,class,grade,prospect_since,new,reasons,name,company,title,last_seen,source,email_verified");
    expect(csv[1]).toMatch(/^victim-browser,ana@acme\.example,15,.*,yes$/);
  });

  it("changes nothing on a verified lead, even from one of the lead's own visitor ids", async () => {
    await victim();
    await track("acme", "victim-browser", claimedIdentify("mallory@evil.example", { title: "Intern", plan: "free" }));
    const after = await lead("victim-browser");
    expect(after.identity).toEqual({ email: "ana@acme.example", emailVerified: true, traits: { title: "Director" } });
    expect(after.score).toBe(15);
  });

  it("does not pull a claim into the lead when the real person verifies later", async () => {
    await createSite("acme", RULES);
    // The stranger claims the email first and earns points on its own visitor.
    await track("acme", "attacker-002", event("pageview", "/contact"), claimedIdentify("bo@acme.example"));
    await track("acme", "real-bo-001", event("pageview"), await signedIdentify("acme", "bo@acme.example"));
    expect(await lead("real-bo-001")).toMatchObject({ visitorIds: ["real-bo-001"], score: 0, emailVerified: true });
    expect(await lead("attacker-002")).toMatchObject({ visitorIds: ["attacker-002"], score: 6, emailVerified: false });
  });

  it("keeps server-side events for an email off a visitor that only claims it", async () => {
    await createSite("acme", RULES);
    await track("acme", "attacker-003", claimedIdentify("cy@acme.example"));
    const res = await api("/api/sites/acme/events", "POST", { email: "cy@acme.example", events: [{ id: "click-0001", type: "email_click", at: Date.now() }] });
    const { visitorId } = (await res.json()) as { visitorId: string };
    expect(visitorId).not.toBe("attacker-003");
    expect(await lead(visitorId)).toMatchObject({ email: "cy@acme.example", emailVerified: true });
    expect((await lead("attacker-003")).recentEvents.map((e) => e.id)).not.toContain("click-0001");
  });

  it("lets a visitor correct its own unverified claim", async () => {
    await createSite("acme", RULES);
    await track("acme", "typo-visitor", claimedIdentify("dy@acme.exmaple"));
    await track("acme", "typo-visitor", claimedIdentify("dy@acme.example", { title: "Director" }));
    expect((await lead("typo-visitor")).identity).toEqual({ email: "dy@acme.example", emailVerified: false, traits: { title: "Director" } });
  });
});

describe("a signed identify is verified", () => {
  it("merges, may rename and set traits, and keeps the signature out of storage", async () => {
    await victim();
    await track("acme", "victim-phone", event("pageview", "/contact"), await signedIdentify("acme", "Ana@Acme.example", { plan: "team" }));
    const merged = await lead("victim-phone");
    expect(merged).toMatchObject({ id: "victim-browser", visitorIds: ["victim-browser", "victim-phone"], score: 21, emailVerified: true });
    expect(merged.identity.traits).toMatchObject({ title: "Director", plan: "team" });
    await track("acme", "victim-phone", await signedIdentify("acme", "ana@new.example"));
    expect((await lead("victim-browser")).identity.email).toBe("ana@new.example");
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE props LIKE '%sig%'").first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });

  it("treats a signature that does not match, or a site without a secret, as no signature", async () => {
    await victim();
    const forged = event("identify", "/", 0, { d: { email: "ana@acme.example", sig: "0".repeat(64) } });
    await track("acme", "attacker-004", forged);
    // Signed for another email: a signature does not carry over.
    const reused = event("identify", "/", 0, { d: { email: "ana@acme.example", sig: await signEmail("acme", "mallory@evil.example") } });
    await track("acme", "attacker-004", reused);
    expect(await lead("attacker-004")).toMatchObject({ visitorIds: ["attacker-004"], emailVerified: false });
    expect((await lead("victim-browser")).visitorIds).toEqual(["victim-browser"]);

    // A site made before verification existed has no secret: nothing verifies until an admin makes one.
    await env.DB.prepare("UPDATE sites SET identity_secret = NULL").run();
    await track("acme", "victim-tablet", await signedIdentify("acme", "ana@acme.example"));
    expect((await lead("victim-tablet")).visitorIds).toEqual(["victim-tablet"]);
  });

  it("verifies with a rotated secret only, which is shown once", async () => {
    await victim();
    const oldSig = await signEmail("acme", "ana@acme.example");
    // As curl -X POST sends it: an empty body.
    const res = await call("/api/sites/acme/identity-secret", { method: "POST", headers: { authorization: "Bearer test-token" }, body: "" });
    expect(res.status).toBe(200);
    const { identitySecret } = (await res.json()) as { identitySecret: string };
    expect(identitySecret).toMatch(/^idsec_[0-9a-f]{64}$/);
    expect(JSON.stringify(await (await api("/api/sites/acme")).json())).not.toContain(identitySecret);

    await track("acme", "old-page-001", event("identify", "/", 0, { d: { email: "ana@acme.example", sig: oldSig } }));
    expect((await lead("old-page-001")).visitorIds).toEqual(["old-page-001"]);
    const { hmacSha256Hex } = await import("../../worker/lib/hash");
    const sig = await hmacSha256Hex(identitySecret, "ana@acme.example");
    await track("acme", "new-page-001", event("identify", "/", 0, { d: { email: "ana@acme.example", sig } }));
    expect((await lead("new-page-001")).visitorIds).toEqual(["new-page-001", "victim-browser"]);
  });

  it("verifies an identify as the tracker sends it, traits nested beside email and sig", async () => {
    await victim();
    const email = "ana@acme.example";
    await track("acme", "victim-laptop", event("identify", "/", 0, { d: { email, sig: await signEmail("acme", email), traits: { plan: "enterprise" } } }));
    const merged = await lead("victim-laptop");
    expect(merged).toMatchObject({ id: "victim-browser", emailVerified: true });
    expect(merged.identity.traits).toEqual({ title: "Director", plan: "enterprise" });
  });

  it.each([
    ["a sig that is not 64 hex digits", { email: "ana@acme.example", sig: "abc" }],
    ["a sig without an email", { sig: "a".repeat(64) }],
    ["a sig that is no string", { email: "ana@acme.example", sig: 12 }],
  ])("refuses %s with a 400 naming d.sig, changing nothing", async (_name, d) => {
    await createSite("acme", RULES);
    const before = await tableCounts();
    const res = await sendBeacon(beaconBody("acme", "visitor-sig01", [event("identify", "/", 0, { d })]));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("d.sig");
    expect(await tableCounts()).toEqual(before);
  });

  it("ends concurrent verified identifies of one email from different browsers as one lead", async () => {
    await createSite("acme", RULES);
    const browsers = Array.from({ length: 8 }, (_, i) => `race-browser-${i}`);
    for (const id of browsers) await track("acme", id, event("pageview", "/contact"));
    const signed = await Promise.all(browsers.map(() => signedIdentify("acme", "race@acme.example")));
    const answers = await Promise.all(browsers.map((id, i) => sendBeacon(beaconBody("acme", id, [signed[i] as ReturnType<typeof event>]))));
    expect(answers.map((r) => r.status)).toEqual(browsers.map(() => 202));
    const board = await leaderboard();
    expect(board).toHaveLength(1);
    expect(board[0]).toMatchObject({ email: "race@acme.example", emailVerified: true, score: 48 });
    expect((await lead(browsers[3] as string)).visitorIds).toEqual([...browsers].sort());
  });
});
