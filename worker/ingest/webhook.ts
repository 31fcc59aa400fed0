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
      score: score.total,
      class: score.class,
      grade: score.grade,
      since: new Date(state.prospectSince).toISOString(),
      reasons: score.breakdown.filter((r) => r.points > 0).slice(0, 3).map(({ rule, label, points }) => ({ rule, label, points })),
    },
  };
}

/** What one delivery attempt got. */
export type SendOutcome = { ok: true } | { ok: false; error: string };

/**
 * POSTs a notice once, signed: `X-Leadscore-Signature: sha256=<hex HMAC-SHA256 of the body>`, with the
 * same `X-Leadscore-Delivery` id on every attempt. Retries and the dead-letter record are the queue's
 * (see jobs/webhook.ts): the daily prospect list stays the record of who became a prospect.
 */
export async function sendNotice({ url, secret, notice }: Notification, deliveryId: string): Promise<SendOutcome> {
  const body = JSON.stringify(notice);
  const headers = {
    "content-type": "application/json",
    "user-agent": "leadscore-webhook",
    "x-leadscore-delivery": deliveryId,
    "x-leadscore-signature": `sha256=${await hmacSha256Hex(secret, body)}`,
  };
  try {
    const res = await fetch(url, { method: "POST", headers, body });
    if (res.ok) return { ok: true };
    return { ok: false, error: `answered ${res.status}` };
  } catch (err) {
    return { ok: false, error: `could not be reached: ${err instanceof Error ? err.message : String(err)}` };
  }
}
