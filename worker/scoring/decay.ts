import type { RuleSet } from "./rules";
import { own, type Earned } from "./state";

export const DAY_MS = 86_400_000;

/** A dimension's decay, if it has one. */
export type Decay = { halfLifeDays: number } | { expireDays: number } | undefined;

/** The decay that applies to a dimension in a rule set. */
export function decayOf(rules: RuleSet, dimension: string): Decay {
  return own(rules.dimensions, dimension)?.decay;
}

const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/**
 * Adds points earned at time `at` (never earlier than the previous call) to a running total.
 * Half-life: the stored value is brought forward to `at`, then the points are added, which is exact for
 * exponential decay. Expiry: points are kept per UTC day, and days already out of the window are dropped.
 */
export function earn(e: Earned, points: number, at: number, decay: Decay): void {
  e.raw += points;
  if (!decay) return;
  if ("halfLifeDays" in decay) {
    e.value = valueAt(e, at, decay) + points;
    e.at = at;
    return;
  }
  const today = utcDay(at);
  const days = (e.days ??= {});
  for (const day of Object.keys(days)) if (today - Number(day) >= decay.expireDays) delete days[day];
  days[today] = (days[today] ?? 0) + points;
}

/**
 * What earned points are worth at time `t`. Points earned on a UTC day count for `expireDays` days,
 * that day included; half-life points halve every `halfLifeDays`. Without decay, the raw total.
 */
export function valueAt(e: Earned, t: number, decay: Decay): number {
  if (!decay) return e.raw;
  if ("halfLifeDays" in decay) {
    if (e.value === undefined || e.at === undefined) return 0;
    const elapsed = Math.max(0, t - e.at);
    return e.value * 2 ** (-elapsed / (decay.halfLifeDays * DAY_MS));
  }
  const today = utcDay(t);
  let sum = 0;
  for (const [day, points] of Object.entries(e.days ?? {})) {
    const age = today - Number(day);
    if (age >= 0 && age < decay.expireDays) sum += points;
  }
  return sum;
}
