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

/** One account's roll-up. */
export interface AccountScore {
  account: string;
  /** Sum of its leads' scores, and per dimension. */
  score: number;
  dimensions: Record<string, number>;
  leads: number;
  prospects: number;
  /** Its best leads, best first. */
  topLeads: { visitorId: string; email: string | null; score: number }[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Rolls leads up by account as of time t, best account first: account-based marketing's view of the scores. */
export function accountScores(leads: readonly { id: string; state: ScoreState }[], rules: RuleSet, t: number, topLeads = 3): AccountScore[] {
  const byAccount = new Map<string, { account: AccountScore; members: { visitorId: string; email: string | null; score: number }[] }>();
  for (const lead of leads) {
    const name = accountOf(lead.state);
    if (name === null) continue;
    const score = evaluate(lead.state, rules, t);
    let entry = byAccount.get(name);
    if (!entry) {
      entry = { account: { account: name, score: 0, dimensions: dict<number>(), leads: 0, prospects: 0, topLeads: [] }, members: [] };
      byAccount.set(name, entry);
    }
    const a = entry.account;
    a.score += score.total;
    for (const [dimension, value] of Object.entries(score.dimensions)) a.dimensions[dimension] = (a.dimensions[dimension] ?? 0) + value;
    a.leads += 1;
    if (score.prospect) a.prospects += 1;
    entry.members.push({ visitorId: lead.id, email: lead.state.email, score: score.total });
  }
  return [...byAccount.values()]
    .map(({ account, members }) => ({
      ...account,
      score: round(account.score),
      dimensions: Object.fromEntries(Object.entries(account.dimensions).map(([k, v]) => [k, round(v)])),
      topLeads: members.sort((x, y) => y.score - x.score || x.visitorId.localeCompare(y.visitorId)).slice(0, topLeads),
    }))
    .sort((x, y) => y.score - x.score || x.account.localeCompare(y.account));
}
