import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";

/** GET /healthz: answers without touching D1; the load benchmark's bare endpoint. */
export const health = new Hono<AppEnv>().get("/healthz", (c) => c.json({ ok: true }));
