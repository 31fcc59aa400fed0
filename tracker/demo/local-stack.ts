// Runs leadscore locally: the tracker built, D1 migrated, the collector under `wrangler dev`, a demo site
// seeded with the first worked example's rules, and the demo website served on its own origin.
// Used by `npm start` and by the end-to-end tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { delimiter, dirname, extname, join, normalize } from "node:path";

export interface StackOptions {
  collectorPort: number;
  demoPort: number;
  /** Where wrangler keeps the local D1 database. */
  persistTo: string;
  token: string;
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
  /** Stops the collector alone (the demo website stays up), as when it is down. */
  stopCollector(): Promise<void>;
  /** Starts the collector again on the same port and database. */
  startCollector(): Promise<void>;
  stop(): Promise<void>;
}

export const DEMO_SITE_ID = "demo";
const DEMO_DIR = "tracker/demo/site";
const bin = (name: string) => join("node_modules", ".bin", name);
// Child processes (wrangler's `#!/usr/bin/env node`) run on the Node that runs this file, whatever PATH says.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };

/** Builds the tracker and the API reference's assets, and applies the migrations to the local database. */
export function prepare(persistTo: string): void {
  run(process.execPath, ["tracker/build.ts"]);
  run(process.execPath, ["scripts/api-docs-assets.ts"]);
  run(bin("wrangler"), ["d1", "migrations", "apply", "leadscore", "--local", "--persist-to", persistTo]);
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
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

/** Serves the demo website (and any more folders), pointing script tags at the collector. */
function serveDemo(port: number, collector: string, token: string, folders: Record<string, string>): Promise<Server> {
  const roots = Object.entries({ ...folders, "/": DEMO_DIR }).sort(([a], [b]) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
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
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/** Creates the demo site through the API (a 409 means it is there already). */
async function seed(collector: string, token: string, demo: string): Promise<void> {
  const res = await fetch(`${collector}/api/sites`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      id: DEMO_SITE_ID,
      name: "Demo website",
      origins: [demo, demo.replace("127.0.0.1", "localhost")],
    }),
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`seeding the demo site failed: ${res.status} ${await res.text()}`);
}

/** Runs `wrangler dev` for the collector until stop() is called. */
async function launchCollector(o: StackOptions, collector: string): Promise<{ stop(): Promise<void> }> {
  let output = "";
  const child = spawn(
    bin("wrangler"),
    ["dev", "--ip", "127.0.0.1", "--port", String(o.collectorPort), "--persist-to", o.persistTo, "--var", `API_TOKEN:${o.token}`,
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
  prepare(o.persistTo);
  const collector = `http://127.0.0.1:${o.collectorPort}`;
  const demo = `http://127.0.0.1:${o.demoPort}`;
  let running: { stop(): Promise<void> } | null = await launchCollector(o, collector);
  const server = await serveDemo(o.demoPort, collector, o.token, o.folders ?? {});
  try {
    await seed(collector, o.token, demo);
  } catch (err) {
    server.close();
    await running.stop();
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
