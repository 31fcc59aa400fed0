import { Hono, type Context } from "hono";
import type { SiteRow } from "../../schema";
import { SettingsPage, type SettingsData, type SettingsOutcome } from "../console/settings";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import { adminOnly, type ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";
import { describeIssues } from "../lib/validate";
import { changeSite, siteChanges, siteJson } from "./sites";

function settingsData(c: Context<ConsoleEnv>, site: SiteRow): SettingsData {
  const collector = new URL(c.req.url).origin;
  return { ...siteJson(site), scriptTag: `<script async src="${collector}/s.js" data-site="${site.id}"></script>` };
}

/** GET and POST /app/sites/:site/settings: read tokens see them, admin tokens change them. */
export const consoleSettings = new Hono<ConsoleEnv>()
  .get("/sites/:site/settings", async (c) => {
    const site = await consoleSite(c);
    return page(c, SettingsPage({ frame: await frameFor(c, "Settings", site, "settings"), site: settingsData(c, site) }));
  })
  .post("/sites/:site/settings", adminOnly, async (c) => {
    const site = await consoleSite(c);
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : "");
    const typed = { name: field("name"), origins: field("origins"), listHour: field("listHour"), retentionDays: field("retentionDays"), webhookUrl: field("webhookUrl").trim() };
    const parsed = siteChanges.safeParse({
      name: typed.name.trim(),
      origins: typed.origins.split(/\s+/).filter(Boolean),
      listHour: Number(typed.listHour),
      retentionDays: Number(typed.retentionDays),
      webhookUrl: typed.webhookUrl === "" ? null : typed.webhookUrl,
    });
    let outcome: SettingsOutcome;
    let shown = site;
    if (!parsed.success) {
      outcome = { error: `Not saved: ${describeIssues(parsed.error)}`, typed };
    } else {
      try {
        const { updated, newSecret } = await changeSite(c.var.db, c.env, site, parsed.data);
        shown = updated;
        outcome = { saved: true, ...(newSecret && updated.webhookSecret ? { webhookSecret: updated.webhookSecret } : {}) };
      } catch (err) {
        // A refused webhook host is shown beside the form like any other invalid field.
        if (!(err instanceof ApiError) || err.code !== "bad_request") throw err;
        outcome = { error: `Not saved: ${err.message}`, typed };
      }
    }
    const frame = await frameFor(c, "Settings", shown, "settings");
    return page(c, SettingsPage({ frame, site: settingsData(c, shown), outcome }), outcome.error ? 400 : 200);
  });
