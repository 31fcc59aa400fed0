// What it costs one client on the public beacon to forge prospects, on the default rules: the figures in
// README's threat model. Run with `npx vitest run --config test/bench/vitest.config.ts test/bench/forge-cost.bench.test.ts`.
import { expect, it } from "vitest";
import scoreCard from "../../worker/scoring/examples/score-card.json";
import { ruleSetSchema } from "../../worker/scoring/rules";
import { api, beaconBody, createSite, event, sendBeacon } from "../support/api";

const isProspect = async (site: string, id: string) => {
  const res = await api(`/api/sites/${site}/visitors/${id}`);
  return res.status === 200 && ((await res.json()) as { prospect: boolean }).prospect;
};

/** Beacons of 20 contact-page views (the default rules' best-paying page) until a fresh visitor is a prospect. */
async function forgeOne(site: string, id: string): Promise<number> {
  for (let beacons = 1; beacons <= 10; beacons++) {
    await sendBeacon(beaconBody(site, id, Array.from({ length: 20 }, () => event("pageview", "/contact"))));
    if (await isProspect(site, id)) return beacons;
  }
  return Infinity;
}

it("measures the cost of forging prospects from one client", async () => {
  await createSite("forge");
  const started = performance.now();
  const beaconsForOne = await forgeOne("forge", "forged-000000");
  const msForOne = performance.now() - started;

  // Fresh visitor ids, one after another, for a fixed number of beacons.
  const burst = 200;
  const burstStart = performance.now();
  const answers: Record<number, number> = {};
  for (let i = 0; i < burst; i++) {
    const res = await sendBeacon(beaconBody("forge", `burst-${String(i).padStart(8, "0")}`, Array.from({ length: 9 }, () => event("pageview", "/contact"))));
    answers[res.status] = (answers[res.status] ?? 0) + 1;
  }
  const burstSeconds = (performance.now() - burstStart) / 1000;
  const board = (await (await api("/api/sites/forge/visitors?limit=500")).json()) as { visitors: { prospect: boolean }[] };
  const minted = board.visitors.filter((v) => v.prospect).length - 1;

  // Taking over a known prospect: one unsigned identify with its email.
  await sendBeacon(beaconBody("forge", "victim-000001", [...Array.from({ length: 9 }, () => event("pageview", "/contact")), event("identify", "/", 0, { d: { email: "ceo@target.example" } })]));
  await api("/api/sites/forge/events", "POST", { visitorId: "victim-000001", events: [{ id: "crm-0000001", type: "identify", at: Date.now(), props: { email: "ceo@target.example" } }] });
  await sendBeacon(beaconBody("forge", "hijacker-0001", [event("identify", "/", 0, { d: { email: "ceo@target.example" } })]));
  const hijacked = ((await (await api("/api/sites/forge/visitors/hijacker-0001")).json()) as { id: string }).id === "victim-000001";

  // Server-side engagement from the page, on the score card's rules (email open +5).
  await createSite("card", ruleSetSchema.parse(scoreCard));
  const fromPage = await sendBeacon(beaconBody("card", "opener-000001", [event("custom:email_open")]));

  const figures = { beaconsForOne, msForOne: Math.round(msForOne), burst, burstSeconds: Number(burstSeconds.toFixed(2)), answers, minted, prospectsPerSecond: Math.round(minted / burstSeconds), hijackedWithOneBeacon: hijacked, emailOpenFromPage: fromPage.status };
  console.log(`BENCH ${JSON.stringify({ bench: "forge-cost", figures })}`);
  expect(beaconsForOne).toBeLessThan(Infinity);
});
