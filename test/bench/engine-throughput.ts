// Engine throughput on one core: a rule set of 50 rules of every kind, replayed over generated histories.
// Bundled by esbuild and run in Node (workerd's clock does not move during pure computation).
import { apply, replay } from "../../worker/scoring/engine";
import { evaluate } from "../../worker/scoring/evaluate";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import { emptyState } from "../../worker/scoring/state";
import type { ScoredEvent } from "../../worker/scoring/event";

const TYPES = ["pageview", "pageview", "pageview", "video_play", "download", "email_open", "email_click", "signup"];
const PATHS = ["/", "/pricing", "/contact", "/blog/lead-scoring", "/docs/setup", "/video"];

function fiftyRules(): RuleSetInput {
  const rules: RuleSetInput["rules"] = [];
  for (let i = 0; i < 20; i++) rules.push({ id: `path-${i}`, points: (i % 5) + 1, when: { event: "pageview", path: i % 2 ? `/blog/*` : PATHS[i % PATHS.length] }, ...(i % 3 ? {} : { maxPerDay: 5 }) });
  for (let i = 0; i < 10; i++) rules.push({ id: `type-${i}`, points: i - 3, when: { event: TYPES[i % TYPES.length] as string }, ...(i % 2 ? { cap: 50 } : { maxPointsPerDay: 20 }) });
  for (let i = 0; i < 5; i++) rules.push({ id: `file-${i}`, points: 15, when: { event: "download", fileExt: ["pdf", "docx"] }, frequency: "once" });
  for (let i = 0; i < 5; i++) rules.push({ id: `visit-${i}`, points: 10, when: i % 2 ? { visit: i + 2 } : { returnWithinDays: i + 1 } });
  for (let i = 0; i < 6; i++) rules.push({ id: `trait-${i}`, points: 5, when: { trait: "title", contains: ["director", "manager", "vp", "head", "chief", "lead"][i] as string } });
  for (let i = 0; i < 4; i++) rules.push({ id: `absent-${i}`, points: -10, when: { absent: ["email_open", "pageview", "download", "signup"][i] as string, days: 30 } });
  return { prospectAt: 50, pricingPaths: ["/pricing"], dimensions: { engagement: { decay: { halfLifeDays: 30 }, floor: 0 } }, rules };
}

function history(visitor: number, length: number): ScoredEvent[] {
  let t = Date.UTC(2026, 0, 1) + visitor * 1000;
  let seed = visitor * 7919 + 1;
  const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  return Array.from({ length }, (_, i) => {
    t += rand() < 0.05 ? 2 * 86_400_000 * rand() : 60_000 * rand();
    const type = TYPES[Math.floor(rand() * TYPES.length)] as string;
    const path = PATHS[Math.floor(rand() * PATHS.length)] as string;
    return { id: `v${visitor}e${i}`, type, ts: Math.floor(t), path, props: type === "download" ? { file: `/files/doc-${i % 9}.pdf` } : null };
  });
}

const rules = ruleSetSchema.parse(fiftyRules());
const settings = { visitTimeoutMs: 30 * 60_000, timezone: "Europe/Madrid" };
const visitors = 1_000;
const perVisitor = 1_000;
const histories = Array.from({ length: visitors }, (_, v) => history(v, perVisitor));
const total = visitors * perVisitor;

// Warm up the JIT and the compiled-rules cache.
for (const h of histories.slice(0, 50)) replay(h, rules, settings);

// CPU time of this process (one thread): "per second on one core", unmoved by other work on the machine.
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

let start = process.cpuUsage();
let checksum = 0;
for (const h of histories) checksum += evaluate(replay(h, rules, settings), rules, Date.UTC(2026, 6, 1)).total;
const replaySeconds = cpuSeconds(start);

// The write path applies one event at a time to a copy of the stored state.
const applyEvents = 100_000;
start = process.cpuUsage();
let state = emptyState();
for (let i = 0; i < applyEvents; i++) state = apply(state, histories[i % 100]?.[Math.floor(i / 100)] as ScoredEvent, rules, settings).state;
const applySeconds = cpuSeconds(start);

console.log(
  `BENCH ${JSON.stringify({
    bench: "engine-throughput",
    rules: rules.rules.length,
    events: total,
    replayPerSecond: Math.round(total / replaySeconds),
    applyPerSecond: Math.round(applyEvents / applySeconds),
    node: process.version,
    checksum: Math.round(checksum),
  })}`,
);
