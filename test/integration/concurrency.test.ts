import { expect, it } from "vitest";
import { beaconBody, createSite, event, sendBeacon, tableCounts, visitor } from "../support/api";

// 50 racing writers retry through D1 one winner at a time: generous on a loaded machine.
it("scores 50 concurrent beacons for one visitor exactly once each, with a single bonus", { timeout: 30_000 }, async () => {
  await createSite("acme", {
    prospectAt: 1000,
    rules: [
      { id: "page-view", points: 1, when: { event: "pageview" } },
      { id: "first-visit", points: 10, when: { visit: 1 } },
      { id: "contact-once", points: 7, when: { event: "pageview", path: "/contact" }, frequency: "once" },
    ],
  });
  const beacons = Array.from({ length: 50 }, (_, i) => beaconBody("acme", "visitor-race", [event("pageview", i % 5 === 0 ? "/contact" : "/")]));
  const answers = await Promise.all(beacons.map((b) => sendBeacon(b)));
  expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));

  const v = await visitor("acme", "visitor-race");
  expect(v.score).toBe(50 + 10 + 7);
  expect(v.breakdown.find((b) => b.rule === "first-visit")?.fired).toBe(1);
  expect(v.breakdown.find((b) => b.rule === "contact-once")?.fired).toBe(1);
  expect((await tableCounts()).events).toBe(50);

  // The same 50 again, concurrently: all duplicates, nothing moves.
  await Promise.all(beacons.map((b) => sendBeacon(b)));
  expect((await visitor("acme", "visitor-race")).score).toBe(67);
  expect((await tableCounts()).events).toBe(50);
});
