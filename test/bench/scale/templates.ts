// Lead histories for seeding: a fixed set of template histories, each replayed once by the real engine.
// Every seeded lead copies one template's events and state, so scores come in large tie groups (as
// real sites' do: many leads with the same few page views) and every stored state is exactly what the
// engine would have computed from the stored events.
import { replay } from "../../../worker/scoring/engine";
import { totalScore } from "../../../worker/scoring/evaluate";
import { nextChangeAt } from "../../../worker/scoring/next-change";
import type { RuleSet } from "../../../worker/scoring/rules";
import type { ScoreState } from "../../../worker/scoring/state";
import type { ScoredEvent } from "../../../worker/scoring/event";

/** Stands in for a lead's email in a template; seeding writes each lead's own. */
export const EMAIL_MARK = "lead-email@seed.invalid";

/** One template lead: its events (ids local to the template), the state and score they give. */
export interface Template {
  events: (ScoredEvent & { seq: number; receivedAt: number })[];
  state: ScoreState;
  score: number;
  /** When the score can next change status without an event (see visitors.next_change_at). */
  nextChangeAt: number | null;
  identified: boolean;
}

const PATHS = ["/", "/", "/blog/lead-scoring", "/blog/crm-tips", "/docs/setup", "/pricing", "/contact", "/customers", "/about"];
const TITLES = ["Marketing Director", "Sales Manager", "Engineer", "Head of Growth", "Founder", "Analyst"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function random(seed: number) {
  let s = (seed * 48271 + 11) % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function history(t: number, identified: boolean, now: number): Template["events"] {
  const rand = random(t + 1);
  const n = 4 + Math.floor(rand() * 13); // 4..16 events, about 10 on average
  // Sessions spread over the last 90 days; a quarter of the leads went quiet over 30 days ago.
  const quiet = rand() < 0.25;
  let ts = now - 90 * DAY + Math.floor(rand() * (quiet ? 40 : 75) * DAY);
  const span = quiet ? now - 35 * DAY - ts : now - ts;
  const out: Template["events"] = [];
  for (let k = 0; k < n; k++) {
    ts += k === 0 ? 0 : rand() < 0.3 ? Math.floor(rand() * (span / n)) : Math.floor(rand() * 600_000);
    const r = rand();
    let type = "pageview";
    let path: string | null = PATHS[Math.floor(rand() * PATHS.length)] as string;
    let props: Record<string, unknown> | null = null;
    if (r > 0.93) [type, path, props] = ["download", "/resources", { file: "/files/whitepaper.pdf" }];
    else if (r > 0.86) [type, path] = ["video_play", "/video"];
    else if (r > 0.78) [type, path, props] = ["email_open", null, { campaign: "nurture-3" }];
    else if (r > 0.74) [type, path, props] = ["email_click", null, { campaign: "nurture-3", link: "https://bench.example/pricing" }];
    else if (r > 0.72) [type, path] = ["form_submit", null];
    out.push({ id: `e${k}`, type, ts, path, props, seq: ts * 1000 + k, receivedAt: ts });
  }
  if (identified) {
    const at = out[Math.floor(out.length / 2)] as Template["events"][number];
    const title = TITLES[t % TITLES.length] as string;
    out.splice(Math.floor(out.length / 2) + 1, 0, { id: "id", type: "identify", ts: at.ts, path: null, props: { email: EMAIL_MARK, title, company: `Company ${t % 97}` }, seq: at.seq + 1, receivedAt: at.ts });
  }
  return out;
}

/** `count` templates (half of them identified by email), scored under `rules` as of `now`. */
export function templates(count: number, rules: RuleSet, now: number): Template[] {
  const settings = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
  return Array.from({ length: count }, (_, t) => {
    const identified = t % 2 === 0;
    const events = history(t, identified, now);
    const state = replay(events, rules, settings);
    // As the last hourly sweep (an hour before `now`) left it: leads whose time came since are due.
    return { events, state, score: totalScore(state, rules, now), nextChangeAt: nextChangeAt(state, rules, now - HOUR), identified };
  });
}
