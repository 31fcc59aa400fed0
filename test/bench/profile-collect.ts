// Where the collector's isolate spends its CPU per beacon: starts the worker under `wrangler dev` with an
// inspector, sends beacons as load.ts does while the V8 sampling profiler runs, and prints the self time by
// function and by source file (the .cpuprofile is kept for a closer look in Chrome's DevTools).
// With --cpu-only it runs no profiler and prints the CPU milliseconds the whole server (wrangler, workerd and
// its Durable Objects: D1, the rate limiters) spent per beacon, to compare changes quickly.
//   node test/bench/profile-collect.ts [--port=8801] [--events=3000] [--out=collect.cpuprofile] [--cpu-only]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { prepare } from "../../tracker/demo/local-stack.ts";
import { cpuSecondsOf } from "./process-cpu.ts";

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const PORT = Number(flag("port") ?? 8801);
const INSPECTOR = PORT + 2;
const EVENTS = Number(flag("events") ?? 3000);
const OUT = flag("out") ?? "collect.cpuprofile";
const HOST = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-token";
const ORIGIN = "https://bench.example";
const SITES = 50;
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

const persistTo = mkdtempSync(join(tmpdir(), "leadscore-profile-"));
prepare(persistTo);
const child = spawn(
  join("node_modules", ".bin", "wrangler"),
  ["dev", "--ip", "127.0.0.1", "--port", String(PORT), "--inspector-port", String(INSPECTOR), "--persist-to", persistTo, "--var", `API_TOKEN:${TOKEN}`, "--show-interactive-dev-session=false", "--log-level", "error"],
  { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" }, stdio: ["ignore", "inherit", "inherit"] },
);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspector(): Promise<(method: string, params?: object) => Promise<Record<string, unknown>>> {
  const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
  const target = targets.find((t) => t.title?.includes("leadscore")) ?? targets[0];
  if (!target) throw new Error("no inspector target");
  // The inspector proxy takes DevTools connections from local origins only; Node's WebSocket (undici) sends none unless told.
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://localhost" } } as unknown as string[]);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let next = 0;
  const waiting = new Map<number, (r: Record<string, unknown>) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: Record<string, unknown> };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result ?? {});
  };
  return (method, params = {}) =>
    new Promise((resolve) => {
      next += 1;
      waiting.set(next, resolve);
      ws.send(JSON.stringify({ id: next, method, params }));
    });
}

async function main() {
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${HOST}/healthz`)).ok) break;
    } catch {
      if (tries > 240) throw new Error("wrangler dev did not start");
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  for (let i = 0; i < SITES; i++) {
    const res = await fetch(`${HOST}/api/sites`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ id: `bench-${i}`, name: `Bench ${i}`, origins: [ORIGIN] }),
    });
    if (res.status !== 201) throw new Error(`creating a site: ${res.status}`);
  }
  let counter = 0;
  const load = (amount: number) =>
    autocannon({
      url: `${HOST}/e`,
      connections: 50,
      amount,
      requests: [
        {
          method: "POST",
          setupRequest(request: { headers: Record<string, string>; body: string }) {
            counter += 1;
            const site = `bench-${counter % SITES}`;
            const now = Date.now();
            const client = `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
            request.headers = { "content-type": "text/plain;charset=UTF-8", origin: ORIGIN, "user-agent": USER_AGENT, "cf-connecting-ip": client };
            request.body = JSON.stringify({ s: site, v: `visitor-${site}-${Math.floor(Math.random() * 100)}`, t: now, e: [{ i: `event-${String(counter).padStart(8, "0")}`, n: "pageview", t: now, u: `${ORIGIN}/pricing?utm_source=bench` }] });
            return request;
          },
        },
      ],
    });
  await load(1000);
  if (process.argv.includes("--cpu-only")) {
    const before = cpuSecondsOf(child.pid);
    const run = await load(EVENTS);
    const after = cpuSecondsOf(child.pid);
    const cpu = before === null || after === null ? "?" : (((after - before) * 1000) / run.requests.total).toFixed(2);
    console.log(`${run.requests.total} beacons, ${run.non2xx} non-2xx, ${Math.round(run.requests.average)} req/s, p50 ${run.latency.p50} ms: server CPU ${cpu} ms per beacon`);
    return;
  }
  const send = await inspector();
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  const run = await load(EVENTS);
  if (run.non2xx > 0) console.error(`${run.non2xx} answers were not 2xx`);
  const { profile } = (await send("Profiler.stop")) as unknown as { profile: Profile };
  writeFileSync(OUT, JSON.stringify(profile));
  const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idleUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const f = node.callFrame;
    if (f.functionName === "(idle)") idleUs += us;
    const file = f.url.replace(/^.*\/(node_modules|worker|\.wrangler)\//, "$1/") || "(native)";
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const requests = run.requests.total as number;
  console.log(`${requests} beacons, ${run.non2xx} non-2xx; isolate busy ${(busyUs / 1000).toFixed(0)} ms of ${(totalUs / 1000).toFixed(0)} ms: ${(busyUs / requests).toFixed(0)} µs per beacon`);
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${(us / requests).toFixed(1).padStart(8)} µs/beacon  ${k}`).join("\n");
  console.log(`\nby file:\n${top(byFile, 25)}\n\nby function:\n${top(byFunction, 40)}`);
}

try {
  await main();
} finally {
  child.kill("SIGTERM");
  rmSync(persistTo, { recursive: true, force: true });
}
