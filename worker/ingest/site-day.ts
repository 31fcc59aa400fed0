import type { SiteDayFigures } from "../../schema";
import type { ProspectRow } from "../scoring/prospects";

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
