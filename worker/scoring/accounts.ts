import { evaluate } from "./evaluate";
import type { RuleSet } from "./rules";
import { dict, type ScoreState } from "./state";

// Addresses at these providers say nothing about an employer.
const FREE_MAIL = new Set([
  "gmail.com", "googlemail.com", "yahoo.com", "yahoo.es", "ymail.com", "hotmail.com", "hotmail.es", "outlook.com",
  "outlook.es", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com",
  "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.com", "yandex.ru", "zoho.com", "qq.com", "163.com",
]);

/**
 * The account (company) a lead belongs to: its `company` trait, or else its email's domain unless that is a
 * free-mail provider. Null when neither says.
 */
export function accountOf(state: ScoreState): string | null {
  const company = state.traits.company;
  if (typeof company === "string" && company.trim() !== "") return company.trim().toLowerCase();
  const domain = state.email?.split("@")[1];
  return domain && !FREE_MAIL.has(domain) ? domain : null;
}

/** One of an account's best leads, with its score as of the roll-up. */
export interface TopLead {
  visitorId: string;
  score: number;
}

/** One account's roll-up. */
export interface AccountScore {
  account: string;
  /** Sum of its leads' scores, and per dimension. */
  score: number;
  dimensions: Record<string, number>;
  leads: number;
  prospects: number;
  /** Its best leads, best first (ties by visitor id). */
  topLeads: TopLead[];
}

/** A lead read for the roll-up: its stored account, its state and the rules it is scored under. */
export interface AccountLead {
  id: string;
  account: string;
  state: ScoreState;
  rules: RuleSet;
}

/** Best leads shown per account. */
export const TOP_LEADS = 3;

const round = (n: number) => Math.round(n * 100) / 100;
const better = (x: TopLead, y: TopLead) => y.score - x.score || (x.visitorId < y.visitorId ? -1 : x.visitorId > y.visitorId ? 1 : 0);

function addLead(a: AccountScore, lead: AccountLead, t: number): void {
  const score = evaluate(lead.state, lead.rules, t);
  a.score += score.total;
  for (const [dimension, value] of Object.entries(score.dimensions)) a.dimensions[dimension] = (a.dimensions[dimension] ?? 0) + value;
  a.leads += 1;
  if (score.prospect) a.prospects += 1;
  // Only the best few are kept, so an account of any size is a few numbers while it is rolled up.
  a.topLeads.push({ visitorId: lead.id, score: score.total });
  a.topLeads.sort(better);
  if (a.topLeads.length > TOP_LEADS) a.topLeads.length = TOP_LEADS;
}

/** An account's sums rounded for storing and display (sums are kept exact while chunks add to them). */
function closeAccount(a: AccountScore): AccountScore {
  return {
    ...a,
    score: round(a.score),
    dimensions: dict(Object.fromEntries(Object.entries(a.dimensions).map(([k, v]) => [k, round(v)]))),
    topLeads: a.topLeads.map((l) => ({ visitorId: l.visitorId, score: round(l.score) })),
  };
}

/**
 * Rolls up one chunk of leads read in account order, as of time t: account-based marketing's view of the
 * scores. `open` is the account the previous chunk ended in (it may go on here); `last` says no lead comes
 * after this chunk. Returns the accounts complete so far and the one the next chunk may go on with, so an
 * account spread over any number of chunks is counted once, whatever the chunk size.
 */
export function rollUpChunk(leads: readonly AccountLead[], open: AccountScore | null, last: boolean, t: number): { closed: AccountScore[]; open: AccountScore | null } {
  const closed: AccountScore[] = [];
  let current = open;
  for (const lead of leads) {
    if (current && current.account !== lead.account) {
      closed.push(closeAccount(current));
      current = null;
    }
    current ??= { account: lead.account, score: 0, dimensions: dict<number>(), leads: 0, prospects: 0, topLeads: [] };
    addLead(current, lead, t);
  }
  if (last && current) {
    closed.push(closeAccount(current));
    current = null;
  }
  return { closed, open: current };
}
