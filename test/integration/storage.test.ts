import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { database } from "../../worker/store/db";
import { scoreBatch, type IncomingEvent } from "../../worker/ingest/score-batch";
import { createSite } from "../support/api";

/** A deterministic generator (mulberry32), so the database grows the same way on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEADS = 200;
const EVENTS = 2_000;

it("stores a realistic page view in at most 300 bytes of database, its lead's row included", { timeout: 120_000 }, async () => {
  await createSite("demo-site");
  const db = database(env.DB);
  const rnd = random(42);
  // Ids as the tracker makes them: four random 32-bit numbers joined by "_".
  const id = () => Array.from({ length: 4 }, () => Math.floor(rnd() * 2 ** 32)).join("_");
  const visitors = Array.from({ length: LEADS }, id);
  const paths = Array.from({ length: 200 }, (_, i) => ["/", "/pricing", `/blog/how-to-score-leads-part-${i}`, `/docs/getting-started/step-${i}`, "/contact"][i % 5] as string);
  const size = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after as number;
  const before = await size();
  let t = Date.now() - 2 * 86_400_000;
  for (let i = 0; i < EVENTS; i++) {
    t += 60_000;
    const kind = rnd();
    const event: IncomingEvent =
      kind < 0.9
        ? { id: id(), type: "pageview", ts: t, path: paths[Math.floor(rnd() * paths.length)] as string, props: { __country: "DE" } }
        : kind < 0.95
          ? { id: id(), type: "video_play", ts: t, path: "/", props: { src: "https://cdn.example/intro.mp4", title: "Intro", __country: "DE" } }
          : { id: id(), type: "download", ts: t, path: "/docs", props: { file: "https://example.com/files/ebook-lead-scoring.pdf", __country: "DE" } };
    const result = await scoreBatch(db, "demo-site", visitors[Math.floor(rnd() * LEADS)] as string, [event], t, () => {}, null);
    expect(result.accepted).toHaveLength(1);
  }
  const perEvent = ((await size()) - before) / EVENTS;
  // 10 events per lead, as on a site with 1M leads and 10M events.
  expect(perEvent).toBeLessThanOrEqual(300);
  const stored = await env.DB.prepare("SELECT count(*) AS n, count(country) AS c FROM events").first<{ n: number; c: number }>();
  expect(stored).toEqual({ n: EVENTS, c: EVENTS });
});
