import { Hono, type Context } from "hono";
import type { SiteRow } from "../../schema";
import { RulesPage, type RulesEditor } from "../console/rules";
import { previewRules } from "../ingest/rule-preview";
import { startRulesChange } from "../jobs/start-rescore";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import { adminOnly, type ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";
import { sitePath } from "../console/frame";
import type { RuleSet } from "../scoring/rules";
import { findRuleSet } from "../store/rules";
import { parseRuleSet } from "./rules";

/** Where in the text a JSON syntax error is, as "line L, column C", from the parser's character offset. */
export function jsonErrorAt(text: string, message: string): string {
  const at = /position (\d+)/.exec(message);
  if (!at) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${message.replace(/ in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "")} at line ${line}, column ${column}`;
}

/** The typed text as a valid rule set, or the message that says where it is wrong. */
function check(text: string): { rules: RuleSet } | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${jsonErrorAt(text, (err as Error).message)}.` };
  }
  try {
    return { rules: parseRuleSet(body) };
  } catch (err) {
    if (err instanceof ApiError) return { error: `${err.message.replace(/^invalid rule set: /, "Not a valid rule set: ")}.` };
    throw err;
  }
}

async function inForce(c: Context<ConsoleEnv>, site: SiteRow) {
  const set = await findRuleSet(c.var.db, site.id, site.rulesVersion);
  if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
  return set;
}

/** GET and POST /app/sites/:site/rules: the editor, its what-if preview, publishing. */
export const consoleRules = new Hono<ConsoleEnv>()
  .get("/sites/:site/rules", async (c) => {
    const site = await consoleSite(c);
    const set = await inForce(c, site);
    const published = Number(c.req.query("published"));
    const editor: RulesEditor = {
      text: JSON.stringify(set.rules, null, 2),
      version: set.version,
      createdAt: new Date(set.createdAt).toISOString(),
      ...(published === set.version ? { published } : {}),
    };
    return page(c, RulesPage({ frame: await frameFor(c, "Rules", site, "rules"), editor }));
  })
  .post("/sites/:site/rules", adminOnly, async (c) => {
    const site = await consoleSite(c);
    const set = await inForce(c, site);
    const form = await c.req.parseBody();
    const text = typeof form.rules === "string" ? form.rules : "";
    const editor: RulesEditor = { text, version: set.version, createdAt: new Date(set.createdAt).toISOString() };
    const checked = check(text);
    const frame = await frameFor(c, "Rules", site, "rules");
    if ("error" in checked) return page(c, RulesPage({ frame, editor: { ...editor, error: checked.error } }), 400);
    if (form.action === "publish") {
      // Like PUT with GET's version: rules another admin stored meanwhile are not overwritten unseen.
      if (form.version !== String(set.version)) {
        const error = `Not published: version ${set.version} was stored after you opened these rules. Copy your text, reload, and apply your change again.`;
        return page(c, RulesPage({ frame, editor: { ...editor, error } }), 409);
      }
      const { version } = await startRulesChange(c.var.db, c.env.JOBS, site, checked.rules, Date.now());
      return c.redirect(sitePath(site.id, `/rules?published=${version}`), 303);
    }
    const preview = await previewRules(c.var.db, site, set.rules, checked.rules, Date.now());
    return page(c, RulesPage({ frame, editor: { ...editor, preview } }));
  });
