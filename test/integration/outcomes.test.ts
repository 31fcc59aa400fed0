import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, beaconBody, call, createSite, event, sendBeacon, signedIdentify, tableCounts, TOKEN, track, visitor } from "../support/api";
import { sha256Hex } from "../../worker/lib/hash";
import type { RuleSetInput } from "../../worker/scoring/rules";

const now = Date.now();
const send = (body: unknown) => api("/api/sites/acme/events", "POST", body);
const uploadCsv = (csv: string) =>
  call("/api/sites/acme/prospects/outcomes", { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/csv" }, body: csv });
const listIds = async () => ((await (await api("/api/sites/acme/prospects")).json()) as { prospects: { visitorId: string; stage: string }[] }).prospects;

const rules: RuleSetInput = {
  prospectAt: 20,
  rules: [
    { id: "page", points: 10, when: { event: "pageview" } },
    { id: "unsubscribed", points: -30, when: { event: "unsubscribe", from: "api" } },
    { id: "accepted-by-sales", points: 5, when: { event: "outcome_accepted" } },
  ],
};

interface Detail {
  stage: string;
  score: number;
  outcome: { outcome: string; at: string; reason: string | null; value: number | null } | null;
}
const detail = async (id: string) => (await visitor("acme", id)) as unknown as Detail;

describe("outcomes through the events API", () => {
  it("records a win with its value, by email, and shows the stage in the visitor and the leaderboard", async () => {
    await createSite("acme", rules);
    // Outcomes by email find the lead a verified email names.
    await track("acme", "visitor-won1", await signedIdentify("acme", "buyer@acme.example"), event("pageview"));
    const res = await send({ email: "buyer@acme.example", events: [{ id: "crm-won-0001", type: "outcome_won", at: now, props: { value: 12000 } }] });
    expect(res.status).toBe(202);
    expect(await detail("visitor-won1")).toMatchObject({ stage: "won", outcome: { outcome: "won", reason: null, value: 12000 } });
    const board = (await (await api("/api/sites/acme/visitors")).json()) as { visitors: { id: string; stage: string }[] };
    expect(board.visitors).toEqual([expect.objectContaining({ id: "visitor-won1", stage: "won" })]);
    // Idempotent by id.
    expect(await (await send({ email: "buyer@acme.example", events: [{ id: "crm-won-0001", type: "outcome_won", at: now, props: { value: 12000 } }] })).json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it("scores an outcome like any server event when a rule names it", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-acc1", event("pageview"));
    await send({ visitorId: "visitor-acc1", events: [{ id: "crm-acc-0001", type: "outcome_accepted", at: now }] });
    expect(await detail("visitor-acc1")).toMatchObject({ stage: "accepted", score: 15 });
  });

  it("takes a rejected lead off the daily list until it falls below the threshold and reaches it again", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-rej1", event("pageview", "/", 5000), event("pageview", "/a", 4000));
    expect((await listIds()).map((p) => p.visitorId)).toEqual(["visitor-rej1"]);
    await send({ visitorId: "visitor-rej1", events: [{ id: "crm-rej-0001", type: "outcome_rejected", at: now, props: { reason: "no budget" } }] });
    expect(await detail("visitor-rej1")).toMatchObject({ stage: "rejected", outcome: { reason: "no budget" } });
    expect(await listIds()).toEqual([]);
    // More points while still over the threshold: still off the list.
    await track("acme", "visitor-rej1", event("pageview", "/b"));
    expect(await listIds()).toEqual([]);
    // Below, then over again: back on the list, a prospect anew.
    await send({ visitorId: "visitor-rej1", events: [{ id: "unsub-000001", type: "unsubscribe", at: Date.now() }] });
    await track("acme", "visitor-rej1", event("pageview", "/c"), event("pageview", "/d"));
    expect(await listIds()).toEqual([{ visitorId: "visitor-rej1", stage: "prospect" } as never].map(() => expect.objectContaining({ visitorId: "visitor-rej1", stage: "prospect" })));
    expect((await detail("visitor-rej1")).stage).toBe("prospect");
  });

  it.each([
    ["a rejection without a reason", { type: "outcome_rejected", props: {} }],
    ["a win with a negative value", { type: "outcome_won", props: { value: -5 } }],
    ["an unknown outcome", { type: "outcome_maybe" }],
  ])("refuses %s with 400 and changes nothing", async (_name, e) => {
    await createSite("acme", rules);
    const before = await tableCounts();
    const res = await send({ visitorId: "visitor-bad1", events: [{ id: "crm-bad-0001", at: now, ...e }] });
    expect(res.status).toBe(400);
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses outcome types from the public beacon", async () => {
    await createSite("acme", rules);
    const res = await sendBeacon(beaconBody("acme", "visitor-fake1", [event("custom:outcome_won")]));
    expect(res.status).toBe(400);
  });

  it("erases outcomes with the lead, index row included", async () => {
    await createSite("acme", rules);
    await send({ visitorId: "visitor-gone1", events: [{ id: "crm-won-0002", type: "outcome_won", at: now }] });
    const withOutcome = () => env.DB.prepare("SELECT count(*) AS n FROM visitors WHERE outcome IS NOT NULL").first<{ n: number }>();
    expect((await withOutcome())?.n).toBe(1);
    expect((await api("/api/sites/acme/visitors/visitor-gone1", "DELETE")).status).toBe(200);
    expect((await withOutcome())?.n).toBe(0);
  });
});

describe("the prospect CSV round trip", () => {
  async function filledIn(fill: (cells: string[], header: string[]) => void): Promise<string> {
    const lines = (await (await api("/api/sites/acme/prospects?format=csv")).text()).trimEnd().split("\r\n");
    const header = (lines[0] as string).split(",");
    return [lines[0], ...lines.slice(1).map((l) => {
      // No cell has a comma in this test (its rules' labels and the leads' traits have none).
      const cells = l.split(",");
      fill(cells, header);
      return cells.join(",");
    })].join("\r\n") + `\r\n${header.map(() => "").join(",")}\r\n`;
  }

  it("records the outcomes sales fill in, once however often the file comes back", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-csv1", event("pageview", "/", 5000), event("pageview", "/a", 4000));
    await track("acme", "visitor-csv2", event("pageview", "/", 5000), event("pageview", "/a", 4000));
    const csv = await filledIn((cells, header) => {
      if (cells[0] === "visitor-csv1") cells.splice(header.indexOf("outcome"), 3, "won", "", "900");
      else cells.splice(header.indexOf("outcome"), 3, "rejected", "student", "");
    });
    const res = await uploadCsv(csv);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ outcomes: 2, recorded: 2, unchanged: 0, duplicates: 0 });
    expect(await detail("visitor-csv1")).toMatchObject({ stage: "won", outcome: { value: 900 } });
    expect(await detail("visitor-csv2")).toMatchObject({ stage: "rejected", outcome: { reason: "student" } });
    const before = await tableCounts();
    expect(await (await uploadCsv(csv)).json()).toEqual({ outcomes: 2, recorded: 0, unchanged: 2, duplicates: 0 });
    expect(await tableCounts()).toEqual(before);
  });

  it("starts a lead for an email no one has, and finds it again by that email", async () => {
    await createSite("acme", rules);
    const csv = "email,outcome,outcome_at\r\nnew@lead.example,lost,2026-01-01T00:00:00Z\r\n";
    expect(await (await uploadCsv(csv)).json()).toMatchObject({ recorded: 1 });
    const id = ((await (await send({ email: "new@lead.example", events: [{ id: "open-csv-001", type: "email_open", at: now }] })).json()) as { visitorId: string }).visitorId;
    expect((await detail(id)).stage).toBe("lost");
  });

  it("gives a lead the upload starts a random id no one can compute from the email, one per email", async () => {
    await createSite("acme", rules);
    // Dated within the API's 7 days, so each row's time (and so its event id) is the same on every upload.
    const day = (n: number) => new Date(now - n * 86_400_000).toISOString();
    const csv = `email,outcome,outcome_at\r\nfresh@lead.example,accepted,${day(3)}\r\nfresh@lead.example,won,${day(2)}\r\n`;
    expect(await (await uploadCsv(csv)).json()).toMatchObject({ recorded: 2 });
    const board = (await (await api("/api/sites/acme/visitors")).json()) as { visitors: { id: string; stage: string }[] };
    expect(board.visitors).toEqual([expect.objectContaining({ stage: "won" })]);
    const id = board.visitors[0]?.id as string;
    expect(id).toMatch(/^em-[0-9a-f]{32}$/);
    expect(id).not.toBe(`em-${(await sha256Hex("acme\nfresh@lead.example")).slice(0, 32)}`);
    // The upload's identify is the API's, so verified: the same upload again finds the lead and counts once.
    expect(((await visitor("acme", id)) as unknown as { identity: { emailVerified: boolean } }).identity.emailVerified).toBe(true);
    expect(await (await uploadCsv(csv)).json()).toMatchObject({ recorded: 0, duplicates: 2 });
    expect((await tableCounts()).visitors).toBe(1);
  });

  it.each([
    ["an unknown outcome", "visitor_id,outcome\r\nvisitor-csv3,maybe\r\n", "line 2: outcome \"maybe\""],
    ["a rejection without a reason", "visitor_id,outcome,reason\r\nvisitor-csv3,won\r\nvisitor-csv3,rejected,\r\n", "line 3: a rejection gives its reason"],
    ["an unknown visitor", "visitor_id,outcome\r\nvisitor-nobody,won\r\n", "line 2: no visitor \"visitor-nobody\""],
    ["no outcome column", "visitor_id,email\r\nvisitor-csv3,a@b.example\r\n", "line 1: the header has no outcome column"],
    ["a bad date", "visitor_id,outcome,outcome_at\r\nvisitor-csv3,won,yesterday\r\n", "line 2: outcome_at"],
    ["an open quote", "visitor_id,outcome\r\nvisitor-csv3,\"won\r\n", "line 2: a quoted cell is not closed"],
  ])("refuses %s with a 400 naming the line, and changes nothing", async (_name, csv, message) => {
    await createSite("acme", rules);
    await track("acme", "visitor-csv3", event("pageview"));
    const before = await tableCounts();
    const res = await uploadCsv(csv);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
    expect(await tableCounts()).toEqual(before);
  });

  it("takes text/csv only", async () => {
    await createSite("acme", rules);
    const res = await api("/api/sites/acme/prospects/outcomes", "POST", { visitor_id: "x" });
    expect(res.status).toBe(400);
  });
});
