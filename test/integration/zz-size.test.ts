import { env } from "cloudflare:workers";
import { it } from "vitest";
import { database } from "../../worker/store/db";
import { scoreBatch } from "../../worker/ingest/score-batch";
import { createSite } from "../support/api";

it("size", async () => {
  await createSite("demo-site");
  const db = database(env.DB);
  let seed = 42;
  const rnd = () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const u32 = () => Math.floor(rnd() * 4294967296);
  const rid = () => [u32(), u32(), u32(), u32()].join("_");
  const V = 300, N = 3000;
  const visitors = Array.from({ length: V }, rid);
  const paths = Array.from({ length: 300 }, (_, i) => ["/", "/pricing", "/blog/post-about-lead-scoring-" + i, "/docs/getting-started/" + i, "/contact"][i % 5]);
  const size = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after as number;
  const before = await size();
  let t = Date.now() - 86_400_000;
  for (let i = 0; i < N; i++) {
    t += 20_000;
    const v = visitors[Math.floor(rnd() * V)] as string;
    await scoreBatch(db, "demo-site", v, [{ id: rid(), type: "pageview", ts: t, path: paths[Math.floor(rnd() * 300)] as string, props: { __country: "US" } }], t, () => {}, null);
  }
  const after = await size();
  const ev = await env.DB.prepare("SELECT count(*) n, sum(length(state)) s FROM visitors").first();
  console.log("SIZE bytes/event", (after - before) / N, JSON.stringify(ev));
}, 120_000);
