import type { SiteDayFigures, SiteRow } from "../../schema";
import type { ProspectRow } from "../scoring/prospects";
import type { RuleSet } from "../scoring/rules";
import type { Database } from "../store/db";
import { leadTotals, storeSiteDay } from "../store/site-days";

/** The rules named among prospects' top reasons, most often named first (then by points). */
export function topRules(rows: readonly ProspectRow[], limit = 10): SiteDayFigures["topRules"] {
  const tally = new Map<string, SiteDayFigures["topRules"][number]>();
  for (const row of rows) {
    for (const r of row.reasons) {
      const t = tally.get(r.rule) ?? { rule: r.rule, label: r.label, leads: 0, points: 0 };
      t.leads += 1;
      t.points += r.points;
      tally.set(r.rule, t);
    }
  }
  return [...tally.values()]
    .map((t) => ({ ...t, points: Math.round(t.points * 100) / 100 }))
    .sort((a, b) => b.leads - a.leads || b.points - a.points || a.rule.localeCompare(b.rule))
    .slice(0, limit);
}

/**
 * Records the day's figures for the console's overview next to the day's stored list: lead and event
 * totals (one aggregate statement), the list's size and new prospects, and the rules behind the new ones.
 */
export async function recordSiteDay(db: Database, site: SiteRow, rules: RuleSet, day: string, list: readonly ProspectRow[], now: number): Promise<void> {
  const totals = await leadTotals(db, site.id, rules.classes);
  const fresh = list.filter((r) => r.isNew);
  await storeSiteDay(db, site.id, day, {
    eventsTotal: totals.eventsTotal,
    leads: totals.leads,
    prospects: list.length,
    newProspects: fresh.length,
    classes: totals.classes,
    topRules: topRules(fresh),
  }, now);
}
