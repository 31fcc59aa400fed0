import { compile, type Compiled, type CompiledRule } from "./compile";
import { DAY_MS, valueAt } from "./decay";
import { totalAt } from "./evaluate";
import type { RuleSet } from "./rules";
import { own, type Earned, type ScoreState } from "./state";

/** Segments between discrete moments (expiry day boundaries, decay starts) looked at before giving a bound. */
const MAX_SEGMENTS = 64;
/** Steps of the rate-bound search within one segment before giving its current bound. */
const MAX_STEPS = 64;
const LN2 = Math.LN2;

/**
 * A margin around each boundary, far above the rounding of a sum of doubles of this size: a score that
 * only approaches a boundary (points decaying towards it) still lands on it once the decaying rest rounds
 * away, and the sum is added up in another order when it is read. Treating a boundary as this much closer
 * keeps the answer early in both cases.
 */
const margin = (...values: number[]) => 2 ** -40 * Math.max(1, ...values.map(Math.abs));

/** Where a score stands: which thresholds (the prospect threshold, then each class minimum) it reaches. */
function statusAt(c: Compiled, bounds: readonly number[], state: ScoreState, t: number): boolean[] {
  const total = totalAt(state, c, t);
  return bounds.map((b) => total >= b);
}

const sameStatus = (a: readonly boolean[], b: readonly boolean[]) => a.every((x, i) => x === b[i]);

/** A half-life dimension with points still decaying at a moment. */
interface Decaying {
  name: string;
  earned: Earned;
  /** Half-life in ms. */
  halfLife: number;
  floor: number | undefined;
}

/**
 * The earliest time after `after` (ms) at which, without a new event, the lead's score could cross the
 * prospect threshold (either way) or a class boundary, or an absence rule start to hold; null when nothing
 * can change without an event. The answer may be earlier than the real change, never later, and is always
 * above `after`.
 *
 * Between discrete moments (an absence period ending, expiry dropping a day's points at a UTC midnight) only
 * half-life decay moves the score, continuously. With one decaying dimension the crossing is closed-form
 * (value·2^(-Δt/H) = gap); with several, possibly of opposite signs, it is found from below by stepping the
 * largest rate of change the decaying points can still have, which never overshoots.
 */
export function nextChangeAt(state: ScoreState, rules: RuleSet, after: number): number | null {
  const c = compile(rules);
  if (!c.timeDependent || state.firstTs === null) return null;
  // A rule set without a threshold has no prospect boundary to cross, only class boundaries.
  const bounds = [...(rules.prospectAt === undefined ? [] : [rules.prospectAt]), ...rules.classes.map((cl) => cl.min)];
  const start = statusAt(c, bounds, state, after);

  let answer = absenceStart(state, c, after);
  const moments = discreteMoments(state, c, after, answer);
  let from = after;
  for (let i = 0; i <= Math.min(moments.length, MAX_SEGMENTS); i++) {
    const to = i < moments.length ? (moments[i] as number) : answer ?? Infinity;
    if (i === MAX_SEGMENTS) return clampAfter(from, after);
    if (from > after && !sameStatus(statusAt(c, bounds, state, from), start)) return clampAfter(from, after);
    const crossing = crossingWithin(state, c, bounds, start, from, to);
    if (crossing !== null) return clampAfter(Math.min(crossing, answer ?? Infinity), after);
    if (i === moments.length) break;
    from = to;
  }
  return answer === null ? null : clampAfter(answer, after);
}

const clampAfter = (t: number, after: number) => Math.max(after + 1, Math.floor(t));

/** The first moment after `after` at which an absence rule starts to hold, or null. */
function absenceStart(state: ScoreState, c: Compiled, after: number): number | null {
  let first: number | null = null;
  for (const r of c.holdingRules) {
    const type = r.rule.when.absent;
    if (type === undefined || state.firstTs === null) continue;
    // Counted from a named event (`since`): from the first one not yet answered, if any; without one it
    // cannot start to hold before an event comes.
    const from = r.rule.when.since !== undefined ? own(state.awaiting, r.rule.id) : (own(state.lastOf, type) ?? state.firstTs);
    if (from === undefined) continue;
    const starts = from + (r.rule.when.days as number) * DAY_MS;
    if (starts > after && (first === null || starts < first)) first = starts;
  }
  return first;
}

/**
 * Moments in (after, until) where the score jumps or a decay begins: each UTC midnight at which a day's
 * expiring points enter or leave their window, and decay starts stamped after `after`. Sorted, distinct.
 */
function discreteMoments(state: ScoreState, c: Compiled, after: number, until: number | null): number[] {
  const out = new Set<number>();
  const add = (t: number) => {
    if (t > after && (until === null || t < until)) out.add(t);
  };
  for (const [name, earned] of Object.entries(state.dimensions)) {
    const decay = c.decays.get(name);
    if (!decay) continue;
    if ("expireDays" in decay) {
      for (const [day, points] of Object.entries(earned.days ?? {})) {
        if (points === 0) continue;
        add(Number(day) * DAY_MS);
        add((Number(day) + decay.expireDays) * DAY_MS);
      }
    } else if (earned.at !== undefined) add(earned.at);
  }
  return [...out].sort((a, b) => a - b);
}

/** The half-life dimensions whose points are decaying over [from, ...). */
function decayingAt(state: ScoreState, c: Compiled, from: number): Decaying[] {
  const out: Decaying[] = [];
  for (const [name, earned] of Object.entries(state.dimensions)) {
    const decay = c.decays.get(name);
    if (!decay || !("halfLifeDays" in decay) || earned.at === undefined || earned.at > from) continue;
    if (valueAt(earned, from, decay) === 0) continue;
    out.push({ name, earned, halfLife: decay.halfLifeDays * DAY_MS, floor: c.rules.dimensions[name]?.floor });
  }
  return out;
}

/**
 * The earliest time in (from, to) at which decay alone could move the status away from `start` (known to
 * hold at `from`), or null if it cannot before `to`. Nothing but half-life decay moves inside the segment.
 */
function crossingWithin(state: ScoreState, c: Compiled, bounds: readonly number[], start: readonly boolean[], from: number, to: number): number | null {
  const decaying = decayingAt(state, c, from);
  if (decaying.length === 0) return null;
  let first: number | null = null;
  bounds.forEach((bound, i) => {
    const t = decaying.length === 1 ? closedForm(state, c, decaying[0] as Decaying, bound, start[i] as boolean, from) : rateBound(state, c, decaying, bound, start[i] as boolean, from, to);
    if (t !== null && t < to && (first === null || t < first)) first = t;
  });
  return first;
}

/** Points the fit and absence rules of a dimension add at time t. */
function holdingIn(state: ScoreState, c: Compiled, dimension: string, t: number): number {
  let sum = 0;
  for (const r of c.holdingRules as CompiledRule[]) if (r.dimension === dimension && r.holds?.(state, t)) sum += r.rule.points;
  return sum;
}

/**
 * One decaying dimension d: total(t) = rest + max(floor, held + v·2^(-(t-from)/H)), monotone. Solves
 * total = bound exactly, less a millisecond for rounding.
 */
function closedForm(state: ScoreState, c: Compiled, d: Decaying, bound: number, reached: boolean, from: number): number | null {
  const decay = c.decays.get(d.name);
  const v = valueAt(d.earned, from, decay);
  const held = holdingIn(state, c, d.name, from);
  const own = d.floor !== undefined ? Math.max(d.floor, held + v) : held + v;
  const total = totalAt(state, c, from);
  if (reached ? v <= 0 : v >= 0) return null;
  // Held at its floor while its points decay towards `held` below it: the dimension, and so the total, stays
  // as it is (a score sitting on a class minimum this way is not about to cross it).
  if (d.floor !== undefined && v > 0 && held + v <= d.floor) return null;
  // The dimension must pass x (moved closer by the margin), heading for its limit: held, or the floor above it.
  const x = bound - (total - own) + (reached ? 1 : -1) * margin(bound, total, held);
  if (reached && d.floor !== undefined && d.floor >= x) return null;
  const gap = x - held;
  const ratio = gap / v;
  if (!(ratio > 0)) return null;
  if (ratio >= 1) return from;
  return from + d.halfLife * Math.log2(1 / ratio) - 1;
}

/**
 * Several decaying dimensions: steps forward by the time the gap to the bound takes at the largest rate the
 * decaying points can have from there on (their rate only shrinks), so it never steps past a crossing.
 * Gives up early when all the movement left cannot close the gap.
 */
function rateBound(state: ScoreState, c: Compiled, decaying: Decaying[], bound: number, reached: boolean, from: number, to: number): number | null {
  let t = from;
  for (let step = 0; step < MAX_STEPS; step++) {
    const total = totalAt(state, c, t);
    const gap = (reached ? total - bound : bound - total) - margin(bound, total);
    if (gap <= 0) return t;
    let rate = 0;
    let left = 0;
    for (const d of decaying) {
      const v = Math.abs(valueAt(d.earned, t, c.decays.get(d.name)));
      rate += (v * LN2) / d.halfLife;
      left += v;
    }
    if (left < gap || rate === 0) return null;
    const next = t + gap / rate;
    if (next >= to) return null;
    // Closer than a millisecond: call it here.
    if (next - t < 1) return t;
    t = next;
  }
  return t;
}
