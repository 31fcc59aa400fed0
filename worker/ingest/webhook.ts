import type { SiteRow } from "../../schema";
import { hmacSha256Hex } from "../lib/hash";
import { evaluate } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import type { ScoreState } from "../scoring/state";

/** What a site's webhook receives the moment a lead becomes a prospect. */
export interface ProspectNotice {
  event: "prospect";
  site: string;
  visitorId: string;
  email: string | null;
  /** False while the email is only a browser's unsigned claim. */
  emailVerified: boolean;
  score: number;
  class: string | null;
  grade: string | null;
  since: string;
  reasons: { rule: string; label: string; points: number }[];
}

/** A notice ready to send: where, with which key, and what. */
export interface Notification {
  url: string;
  secret: string;
  notice: ProspectNotice;
}

/** The notice for a lead that has just become a prospect, if the site has a webhook. */
export function prospectNotification(site: SiteRow, rules: RuleSet, visitorId: string, state: ScoreState, at: number): Notification | null {
  if (!site.webhookUrl || !site.webhookSecret || state.prospectSince === null) return null;
  const score = evaluate(state, rules, at);
  return {
    url: site.webhookUrl,
    secret: site.webhookSecret,
    notice: {
      event: "prospect",
      site: site.id,
      visitorId,
      email: state.email,
      emailVerified: state.emailVerified === true,
      score: score.total,
      class: score.class,
      grade: score.grade,
      since: new Date(state.prospectSince).toISOString(),
      reasons: score.breakdown.filter((r) => r.points > 0).slice(0, 3).map(({ rule, label, points }) => ({ rule, label, points })),
    },
  };
}

const ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs a notice, signed: `X-Leadscore-Signature: sha256=<hex HMAC-SHA256 of the body>`. A 2xx ends it;
 * otherwise it tries again after 1 s and 4 s. Runs after the beacon is answered (waitUntil): the daily
 * prospect list stays the record of who became a prospect, whatever the webhook's endpoint did.
 */
export async function deliver({ url, secret, notice }: Notification): Promise<boolean> {
  const body = JSON.stringify(notice);
  const headers = {
    "content-type": "application/json",
    "user-agent": "leadscore-webhook",
    "x-leadscore-delivery": crypto.randomUUID(),
    "x-leadscore-signature": `sha256=${await hmacSha256Hex(secret, body)}`,
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(4 ** (attempt - 1) * 1000);
    try {
      const res = await fetch(url, { method: "POST", headers, body });
      if (res.ok) return true;
      console.warn(`prospect webhook for ${notice.site} answered ${res.status} (attempt ${attempt + 1})`);
    } catch (err) {
      console.warn(`prospect webhook for ${notice.site} failed (attempt ${attempt + 1})`, err);
    }
  }
  return false;
}
