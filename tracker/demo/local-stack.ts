// Runs leadscore locally: the tracker and console built, D1 migrated, the collector under `wrangler dev`,
// a demo site with the demo rules (and, on a first run, 30 days of synthetic visitors), and the demo
// website served on its own origin, which also receives the site's prospect webhook.
// Used by `npm start` and by the end-to-end tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, dirname, extname, join, normalize } from "node:path";
import { Webhook } from "standardwebhooks";
import { seedDemo, type Seeded } from "./seed.ts";

export interface StackOptions {
  collectorPort: number;
  demoPort: number;
  /** Where wrangler keeps the local D1 database (and the demo its webhook log). */
  persistTo: string;
  /** The admin token, for the demo's own calls; wrangler reads it from `varsFile`, never from argv. */
  token: string;
  /** The .dev.vars-style file the collector's secrets come from (API_TOKEN, DEMO_SITE). */
  varsFile: string;
  /** On a first run, fill the demo site with 30 days of synthetic visitors. */
  demoData?: boolean;
  /** Let the collector print its request log. */
  verbose?: boolean;
  /** More folders served on the demo origin, by URL prefix (e.g. the end-to-end tests' HTML fixtures). */
  folders?: Record<string, string>;
}

export interface Stack {
  collector: string;
  demo: string;
  siteId: string;
  token: string;
  /** What the first run's seeding made (null when the demo site was there already or no data was asked for). */
  seeded: Seeded | null;
  /** Stops the collector alone (the demo website stays up), as when it is down. */
  stopCollector(): Promise<void>;
  /** Starts the collector again on the same port and database. */
  startCollector(): Promise<void>;
  stop(): Promise<void>;
}

export const DEMO_SITE_ID = "demo";
const DEMO_DIR = "tracker/demo/site";
/** The demo site's rules: a thorough first visit (pricing, the tour, the contact form, the brochure) makes a prospect. */
export const DEMO_RULES: unknown = JSON.parse(readFileSync("tracker/demo/demo-rules.json", "utf8"));
const bin = (name: string) => join("node_modules", ".bin", name);
// Child processes (wrangler's `#!/usr/bin/env node`) run on the Node that runs this file, whatever PATH says.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };

/** Builds the tracker, the console's script and the API reference's assets, and applies the migrations to the local database. */
export function prepare(persistTo: string): void {
  run(process.execPath, ["tracker/build.ts"]);
  run(process.execPath, ["worker/console/client/build.ts"]);
  run(process.execPath, ["scripts/api-docs-assets.ts"]);
  run(bin("wrangler"), ["d1", "migrations", "apply", "leadscore", "--local", "--persist-to", persistTo]);
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Fails with a clear message when something already listens on the port (it would answer for us). */
export async function ensurePortFree(port: number, what: string, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === "EADDRINUSE" ? `port ${port} (${what}) is already in use, maybe by another \`npm start\`: stop it, or choose another port with ${variable}=...` : `cannot listen on port ${port} (${what}): ${err.message}`)),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

async function waitFor(url: string, child: ChildProcess, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the collector exited (${child.exitCode}):\n${log()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the collector did not answer at ${url} within ${ms} ms:\n${log()}`);
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".pdf": "application/pdf",
  ".txt": "text/plain; charset=utf-8",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The demo's webhook endpoint: checks each notice's Standard Webhooks signature and keeps it in a log file. */
function receiveWebhook(body: string, headers: IncomingHttpHeaders, persistTo: string): void {
  const secretFile = join(persistTo, "demo-webhook-secret");
  const secret = existsSync(secretFile) ? readFileSync(secretFile, "utf8").trim() : null;
  let verified = false;
  if (secret !== null) {
    try {
      new Webhook(secret).verify(body, {
        "webhook-id": String(headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(headers["webhook-signature"] ?? ""),
      });
      verified = true;
    } catch {
      // An unsigned, forged or stale notice is logged as INVALID.
    }
  }
  appendFileSync(join(persistTo, "demo-webhooks.jsonl"), `${JSON.stringify({ receivedAt: new Date().toISOString(), verified, notice: JSON.parse(body) as unknown })}\n`);
}

/** The page that lists the webhook notices the demo received, newest first. */
function webhookPage(persistTo: string): string {
  const file = join(persistTo, "demo-webhooks.jsonl");
  const lines = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).reverse().slice(0, 200) : [];
  const rows = lines.map((line) => {
    const { receivedAt, verified, notice } = JSON.parse(line) as { receivedAt: string; verified: boolean; notice: { email?: string | null; visitorId: string; score: number; since: string } };
    return `<tr><td>${escapeHtml(receivedAt)}</td><td>${escapeHtml(notice.email ?? notice.visitorId)}</td><td>${notice.score}</td><td>${escapeHtml(notice.since)}</td><td>${verified ? "valid" : "INVALID"}</td></tr>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Webhook notices · leadscore demo</title><link rel="stylesheet" href="/style.css"></head><body><nav><a href="/">Home</a></nav><main><h1>Prospect webhook notices</h1><p>The collector POSTs a signed notice here the moment a lead becomes a prospect (${lines.length} so far).</p><table><thead><tr><th>Received</th><th>Lead</th><th>Score</th><th>Prospect since</th><th>Signature</th></tr></thead><tbody>${rows.join("")}</tbody></table></main></body></html>`;
}

/** Serves the demo website (and any more folders), pointing script tags at the collector, and receives its webhook. */
function serveDemo(port: number, collector: string, token: string, folders: Record<string, string>, persistTo: string): Promise<Server> {
  const roots = Object.entries({ ...folders, "/": DEMO_DIR }).sort(([a], [b]) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/webhook" && req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      receiveWebhook(Buffer.concat(chunks).toString("utf8"), req.headers, persistTo);
      res.writeHead(204).end();
      return;
    }
    if (path === "/webhooks") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(webhookPage(persistTo));
      return;
    }
    const mine = /^\/my-score\/([A-Za-z0-9_-]{1,64})$/.exec(path);
    if (mine) {
      // Demo only: the server asks the API with the local token so the page can show the visitor's score.
      const api = await fetch(`${collector}/api/sites/${DEMO_SITE_ID}/visitors/${mine[1]}`, { headers: { authorization: `Bearer ${token}` } });
      res.writeHead(api.status, { "content-type": "application/json" }).end(await api.text());
      return;
    }
    const [prefix, dir] = roots.find(([p]) => path.startsWith(p)) ?? ["/", DEMO_DIR];
    const root = normalize(dir);
    const file = normalize(join(root, path.slice(prefix.length), path.endsWith("/") ? "index.html" : ""));
    const candidates = extname(file) ? [file] : [`${file}.html`, join(file, "index.html")];
    for (const candidate of candidates) {
      if (!candidate.startsWith(root)) break;
      try {
        let body: Buffer | string = await readFile(candidate);
        if (candidate.endsWith(".html")) body = body.toString("utf8").replaceAll("{{COLLECTOR}}", collector);
        res.writeHead(200, { "content-type": types[extname(candidate)] ?? "application/octet-stream" });
        res.end(body);
        return;
      } catch {
        // try the next candidate
      }
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** Creates the demo site through the API when it is not there yet (asking first, so a restart logs no 409). */
async function ensureDemoSite(collector: string, token: string, demo: string, persistTo: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const found = await fetch(`${collector}/api/sites/${DEMO_SITE_ID}`, { headers });
  if (found.status === 200) return;
  const res = await fetch(`${collector}/api/sites`, {
    method: "POST",
    headers,
    body: JSON.stringify({ id: DEMO_SITE_ID, name: "Demo website", origins: [demo, demo.replace("127.0.0.1", "localhost")], webhookUrl: `${demo}/webhook`, rules: DEMO_RULES }),
  });
  if (res.status !== 201) throw new Error(`creating the demo site failed: ${res.status} ${await res.text()}`);
  const { webhookSecret } = (await res.json()) as { webhookSecret?: string };
  if (webhookSecret) writeFileSync(join(persistTo, "demo-webhook-secret"), webhookSecret, { mode: 0o600 });
}

/** Runs `wrangler dev` for the collector until stop() is called. */
async function launchCollector(o: StackOptions, collector: string): Promise<{ stop(): Promise<void> }> {
  let output = "";
  const child = spawn(
    bin("wrangler"),
    ["dev", "--ip", "127.0.0.1", "--port", String(o.collectorPort), "--persist-to", o.persistTo, "--env-file", o.varsFile, "--var", "ALLOW_LOCAL_WEBHOOKS:1",
      "--test-scheduled", "--show-interactive-dev-session=false", "--log-level", o.verbose ? "info" : "warn"],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (o.verbose) process.stdout.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await waitFor(`${collector}/s.js`, child, 60_000, () => output);
  } catch (err) {
    child.kill("SIGTERM");
    throw err;
  }
  return {
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Starts the whole stack; stop() ends it. */
export async function startStack(o: StackOptions): Promise<Stack> {
  await ensurePortFree(o.collectorPort, "the collector", "PORT");
  await ensurePortFree(o.demoPort, "the demo website", "DEMO_PORT");
  prepare(o.persistTo);
  const collector = `http://127.0.0.1:${o.collectorPort}`;
  const demo = `http://127.0.0.1:${o.demoPort}`;
  // The demo website is up first: it receives the webhook notices the seeding causes.
  const server = await serveDemo(o.demoPort, collector, o.token, o.folders ?? {}, o.persistTo);
  let seeded: Seeded | null = null;
  let running: { stop(): Promise<void> } | null = null;
  try {
    if (o.demoData) {
      seeded = await seedDemo({ persistTo: o.persistTo, token: o.token, siteId: DEMO_SITE_ID, demo, webhookUrl: `${demo}/webhook`, rules: DEMO_RULES });
      if (seeded?.webhookSecret) writeFileSync(join(o.persistTo, "demo-webhook-secret"), seeded.webhookSecret, { mode: 0o600 });
    }
    running = await launchCollector(o, collector);
    await ensureDemoSite(collector, o.token, demo, o.persistTo);
  } catch (err) {
    server.close();
    await running?.stop();
    throw err;
  }
  const stopCollector = async () => {
    await running?.stop();
    running = null;
  };
  return {
    collector,
    demo,
    siteId: DEMO_SITE_ID,
    token: o.token,
    seeded,
    stopCollector,
    async startCollector() {
      running ??= await launchCollector(o, collector);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await stopCollector();
    },
  };
}
