import { Hono } from "hono";
import { AccountsPage } from "../console/accounts";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import type { ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";
import { accountScores } from "../scoring/accounts";
import { findRuleSet } from "../store/rules";
import { allVisitors } from "../store/visitor-reads";

const SHOWN = 100;

/** GET /app/sites/:site/accounts: the same roll-up as GET /api/sites/:site/accounts, the best 100. */
export const consoleAccounts = new Hono<ConsoleEnv>().get("/sites/:site/accounts", async (c) => {
  const site = await consoleSite(c);
  const [set, leads] = await Promise.all([findRuleSet(c.var.db, site.id, site.rulesVersion), allVisitors(c.var.db, site.id)]);
  if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
  const accounts = accountScores(leads, set.rules, Date.now());
  const dimensions = [...new Set(accounts.flatMap((a) => Object.keys(a.dimensions)))].sort();
  const frame = await frameFor(c, "Accounts", site, "accounts");
  return page(c, AccountsPage({ frame, accounts: accounts.slice(0, SHOWN), total: accounts.length, dimensions }));
});
