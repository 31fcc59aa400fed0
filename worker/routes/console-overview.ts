import { Hono } from "hono";
import type { SiteDayRow } from "../../schema";
import type { OverviewData } from "../console/overview";
import { OverviewPage } from "../console/overview";
import { consoleSite, frameFor, page } from "../lib/console-frame";
import type { ConsoleEnv } from "../lib/console-session";
import { DAY_MS } from "../scoring/decay";
import { localDay } from "../scoring/local-day";
import { findRuleSet } from "../store/rules";
import { siteDaysFrom } from "../store/site-days";

const WINDOW_DAYS = 30;

/** Turns recorded day rows (oldest first, with the day before the window) into the overview's figures. */
export function overviewFigures(rows: SiteDayRow[], from: string, classOrder: string[]): Omit<OverviewData, "from" | "to" | "listHour" | "timezone"> {
  const inWindow = rows.filter((r) => r.day >= from);
  const before = rows.filter((r) => r.day < from).at(-1);
  // Events are recorded as running totals; a day's events are the growth since the previous record.
  const events = inWindow.map((r, i) => {
    const prev = i === 0 ? before : inWindow[i - 1];
    return prev ? Math.max(0, r.figures.eventsTotal - prev.figures.eventsTotal) : null;
  });
  const latest = inWindow.at(-1)?.figures;
  const rules = new Map<string, { label: string; leads: number }>();
  for (const r of inWindow) {
    for (const t of r.figures.topRules) {
      const seen = rules.get(t.rule) ?? { label: t.label, leads: 0 };
      seen.leads += t.leads;
      rules.set(t.rule, seen);
    }
  }
  const top = [...rules.values()].sort((a, b) => b.leads - a.leads).slice(0, 8);
  const classes = latest ? [...classOrder, ""].filter((name) => (latest.classes[name] ?? 0) > 0) : [];
  return {
    recordedDays: inWindow.length,
    leads: latest?.leads ?? null,
    prospects: latest?.prospects ?? null,
    events: events.reduce<number>((sum, n) => sum + (n ?? 0), 0),
    newProspects: inWindow.reduce((sum, r) => sum + r.figures.newProspects, 0),
    perDay: {
      type: "bar",
      labels: inWindow.map((r) => r.day),
      series: [
        { label: "events", data: events },
        { label: "new prospects", data: inWindow.map((r) => r.figures.newProspects), axis: "right" },
      ],
    },
    classes: { type: "doughnut", labels: classes.map((n) => n || "unclassed"), series: [{ label: "leads", data: classes.map((n) => latest?.classes[n] ?? 0) }] },
    topRules: { type: "hbar", labels: top.map((t) => t.label), series: [{ label: "new prospects it helped", data: top.map((t) => t.leads) }] },
  };
}

/** GET /app/sites/:site: the overview, read from at most 31 recorded day rows. */
export const consoleOverview = new Hono<ConsoleEnv>().get("/sites/:site", async (c) => {
  const site = await consoleSite(c);
  const now = Date.now();
  const to = localDay(now, site.timezone);
  const from = localDay(now - (WINDOW_DAYS - 1) * DAY_MS, site.timezone);
  const [rows, set] = await Promise.all([
    siteDaysFrom(c.var.db, site.id, localDay(now - WINDOW_DAYS * DAY_MS, site.timezone)),
    findRuleSet(c.var.db, site.id, site.rulesVersion),
  ]);
  const classOrder = [...(set?.rules.classes ?? [])].sort((a, b) => b.min - a.min).map((cl) => cl.name);
  const data: OverviewData = { from, to, listHour: site.listHour, timezone: site.timezone, ...overviewFigures(rows, from, classOrder) };
  return page(c, OverviewPage({ frame: await frameFor(c, "Overview", site, "overview"), data }));
});
