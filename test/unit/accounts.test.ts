import { describe, expect, it } from "vitest";
import { HOUR, MIN, T0, ev, utc } from "../support/timeline";
import { accountOf, rollUpChunk, type AccountLead, type AccountScore } from "../../worker/scoring/accounts";
import { replay } from "../../worker/scoring/engine";
import { ruleSetSchema } from "../../worker/scoring/rules";
import { emptyState } from "../../worker/scoring/state";

const rules = ruleSetSchema.parse({
  prospectAt: 3,
  rules: [
    { id: "pv", points: 1, when: { event: "pageview" } },
    { id: "director", points: 10, when: { trait: "title", equals: "Director" } },
  ],
});

/** A lead of `account` with `views` page views (and the Director title when asked). */
function lead(id: string, account: string, views: number, director = false): AccountLead {
  const events = Array.from({ length: views }, (_, k) => ev("pageview", T0 + k * MIN, "/"));
  if (director) events.push(ev("identify", T0 + HOUR, "/", { title: "Director" }));
  return { id, account, state: replay(events, rules, utc), rules };
}

/** Rolls the leads up in chunks of `size`, as the daily run does, carrying the open account between them. */
function inChunks(leads: AccountLead[], size: number, t: number): AccountScore[] {
  const out: AccountScore[] = [];
  let open: AccountScore | null = null;
  for (let i = 0; i < leads.length || i === 0; i += size) {
    const chunk = leads.slice(i, i + size);
    const last = i + size >= leads.length;
    const step = rollUpChunk(chunk, open, last, t);
    out.push(...step.closed);
    // The open account travels in a job's JSON cursor between chunks.
    open = step.open === null ? null : (JSON.parse(JSON.stringify(step.open)) as AccountScore);
  }
  return out;
}

describe("accountOf", () => {
  it.each([
    ["the company trait, trimmed and lowercased", { traits: { company: " Initech " }, email: "a@gmail.com" }, "initech"],
    ["a work email's domain", { traits: {}, email: "ana@globex.example" }, "globex.example"],
    ["nothing for free mail", { traits: {}, email: "ana@gmail.com" }, null],
    ["nothing for an anonymous visitor", { traits: {}, email: null }, null],
    ["nothing for a blank company and no email", { traits: { company: "  " }, email: null }, null],
  ])("answers %s", (_name, given, expected) => {
    expect(accountOf({ ...emptyState(), ...given })).toBe(expected);
  });
});

describe("rollUpChunk", () => {
  // Leads in account order, as the account index gives them: acme spans several chunks of any size below 6.
  const leads = [
    lead("v01", "acme", 2, true),
    lead("v02", "acme", 1),
    lead("v03", "acme", 4),
    lead("v04", "acme", 1),
    lead("v05", "acme", 3),
    lead("v06", "globex", 5),
    lead("v07", "initech", 1),
    lead("v08", "initech", 1),
  ];
  const t = T0 + 2 * HOUR;

  it("sums scores, dimensions, leads and prospects per account and keeps the three best leads", () => {
    const [acme, globex, initech] = inChunks(leads, leads.length, t);
    expect(acme).toEqual({
      account: "acme",
      score: 21,
      dimensions: { engagement: 11, fit: 10 },
      leads: 5,
      prospects: 3,
      topLeads: [
        { visitorId: "v01", score: 12 },
        { visitorId: "v03", score: 4 },
        { visitorId: "v05", score: 3 },
      ],
    });
    expect(globex).toMatchObject({ account: "globex", score: 5, leads: 1, prospects: 1 });
    // Equal scores: the lower visitor id first.
    expect(initech).toMatchObject({ account: "initech", score: 2, leads: 2, prospects: 0, topLeads: [{ visitorId: "v07" }, { visitorId: "v08" }] });
  });

  it.each([1, 2, 3, 4, 5, 7])("counts an account spanning chunks of %i leads once, with the same sums", (size) => {
    const whole = inChunks(leads, leads.length, t);
    const chunked = inChunks(leads, size, t);
    expect(chunked).toEqual(whole);
    expect(chunked.map((a) => a.account)).toEqual(["acme", "globex", "initech"]);
  });

  it("hands the account a full chunk ends in to the next chunk, and closes it in the last", () => {
    const first = rollUpChunk(leads.slice(0, 3), null, false, t);
    expect(first.closed).toEqual([]);
    expect(first.open).toMatchObject({ account: "acme", leads: 3 });
    const second = rollUpChunk(leads.slice(3, 6), first.open, false, t);
    expect(second.closed.map((a) => [a.account, a.leads])).toEqual([["acme", 5]]);
    expect(second.open).toMatchObject({ account: "globex", leads: 1 });
    const last = rollUpChunk([], second.open, true, t);
    expect(last.closed.map((a) => [a.account, a.leads])).toEqual([["globex", 1]]);
    expect(last.open).toBeNull();
  });
});
