import { Hono } from "hono";
import { AccountsPage } from "../console/accounts";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import type { ConsoleEnv } from "../lib/console-session";
import { accountsPage } from "../store/account-rollups";

const SHOWN = 100;

/** GET /app/sites/:site/accounts: the stored roll-up GET /api/sites/:site/accounts serves, the best 100. */
export const consoleAccounts = new Hono<ConsoleEnv>().get("/sites/:site/accounts", async (c) => {
  const site = await consoleSite(c);
  const { rollup, accounts } = await accountsPage(c.var.db, site.id, SHOWN);
  const dimensions = [...new Set(accounts.flatMap((a) => Object.keys(a.dimensions)))].sort();
  const frame = await frameFor(c, "Accounts", site, "accounts");
  return page(c, AccountsPage({ frame, accounts, total: rollup?.total ?? 0, dimensions, asOf: rollup?.asOf ?? null, listHour: site.listHour, timezone: site.timezone }));
});
