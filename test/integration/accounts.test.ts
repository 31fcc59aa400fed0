import { describe, expect, it } from "vitest";
import { api, createSite, event, track } from "../support/api";

const identify = (d: Record<string, string>) => event("identify", "/", 0, { d });
const rules = {
  prospectAt: 15,
  rules: [
    { id: "pv", points: 5, when: { event: "pageview" } },
    { id: "director", points: 10, when: { trait: "title", equals: "Director" } },
  ],
};

describe("GET /api/sites/:site/accounts", () => {
  it("rolls leads up by company, or by work email domain, leaving out free mail and anonymous visitors", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-0001", event("pageview"), event("pageview"), identify({ email: "ana@initech.example", title: "Director" }));
    await track("acme", "visitor-0002", event("pageview"), identify({ email: "eve@initech.example" }));
    await track("acme", "visitor-0003", event("pageview"), identify({ email: "bo@gmail.com", company: "Globex " }));
    await track("acme", "visitor-0004", event("pageview"), identify({ email: "di@gmail.com" }));
    await track("acme", "visitor-0005", event("pageview"));
    const res = await api("/api/sites/acme/accounts");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      site: "acme",
      total: 2,
      accounts: [
        {
          account: "initech.example",
          score: 25,
          dimensions: { engagement: 15, fit: 10 },
          leads: 2,
          prospects: 1,
          topLeads: [
            { visitorId: "visitor-0001", email: "ana@initech.example", score: 20 },
            { visitorId: "visitor-0002", email: "eve@initech.example", score: 5 },
          ],
        },
        {
          account: "globex",
          score: 5,
          dimensions: { engagement: 5, fit: 0 },
          leads: 1,
          prospects: 0,
          topLeads: [{ visitorId: "visitor-0003", email: "bo@gmail.com", score: 5 }],
        },
      ],
    });
  });

  it.each([
    ["a limit of 0", "limit=0", 400],
    ["an unknown parameter", "order=name", 400],
  ])("answers %s with %i", async (_name, query, status) => {
    await createSite("acme", rules);
    expect((await api(`/api/sites/acme/accounts?${query}`)).status).toBe(status);
  });

  it("answers 404 for an unknown site", async () => {
    expect((await api("/api/sites/nobody/accounts")).status).toBe(404);
  });
});
