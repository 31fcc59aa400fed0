// The floor the beacon endpoint is measured against: a Worker that parses the same beacon body and inserts
// one row into D1 per request, with a prepared statement, and nothing else. Run by test/bench/load.ts under
// `wrangler dev` beside the collector, so both share the machine, the runtime and the local D1.
interface FloorEnv {
  DB: D1Database;
}

let ready: Promise<unknown> | undefined;

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    ready ??= env.DB.prepare("CREATE TABLE IF NOT EXISTS hits (id TEXT PRIMARY KEY, site TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID").run();
    await ready;
    const body = (await request.json()) as { s: string; e: { i: string; t: number }[] };
    const event = body.e[0];
    if (!event) return new Response("no event", { status: 400 });
    await env.DB.prepare("INSERT INTO hits (id, site, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").bind(event.i, body.s, event.t).run();
    return Response.json({ accepted: 1 }, { status: 202 });
  },
};
