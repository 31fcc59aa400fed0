import { expect, it } from "vitest";
import { createSite, newId, track, visitor } from "../support/api";

it("scores a page view", async () => {
  const site = await createSite();
  const v = newId("v");
  await track(site, v, { n: "pageview", i: newId(), path: "/contact", ago: 0 } as never);
  const detail = await visitor(site, v);
  expect(detail.score).toBe(6);
});
