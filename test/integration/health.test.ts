import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { app } from "../../worker/index";
import { failingD1 } from "../support/failing-d1";

it("answers GET /healthz without touching D1", async () => {
  // A database whose first batch fails: the health check must not need it.
  const res = await app.fetch(new Request("https://collector.test/healthz"), { ...env, DB: failingD1(env.DB, 1, "before") });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
});
