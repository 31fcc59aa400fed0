import { apply, dedupe } from "./engine";
import type { ScoredEvent } from "./event";
import { evaluate, type RuleContribution } from "./evaluate";
import { dimensionOf, kindOf, type RuleSet, type ScoringSettings } from "./rules";
import { emptyState, type ScoreState } from "./state";

/** Points one event moved for one rule: a firing, or a fit, absence or floor rule starting or stopping to hold. */
export interface StepPoints {
  rule: string;
  label: string;
  dimension: string;
  points: number;
}

/** A lead's score right after one event, and what that event changed. */
export interface ScoreStep {
  event: ScoredEvent;
  /** The event's effective time (ms): its own time, or the previous event's when it came stamped earlier. */
  at: number;
  total: number;
  dimensions: Record<string, number>;
  class: string | null;
  grade: string | null;
  prospect: boolean;
  /** The total's change at this event (decay since the previous event not included). */
  delta: number;
  /** Per rule, the points this event earned or moved. */
  points: StepPoints[];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Entries of a breakdown that are not firings: fit and absence rules while they hold, and floors. */
function held(breakdown: RuleContribution[], fired: ReadonlySet<string>): Map<string, RuleContribution> {
  return new Map(breakdown.filter((b) => !fired.has(b.rule)).map((b) => [b.rule, b]));
}

/**
 * Replays a lead's events (in scoring order) the way the write path scored them, yielding the score and
 * each dimension after every event with the points each rule gained or lost at it. Pure: the same events
 * and rules always give the same steps, and the last step's state is the one replay() computes.
 */
export function* scoreSteps(events: readonly ScoredEvent[], rules: RuleSet, settings: ScoringSettings): Generator<ScoreStep> {
  const firing = new Set(rules.rules.filter((r) => kindOf(r.when) !== "trait" && kindOf(r.when) !== "absent").map((r) => r.id));
  let state: ScoreState = emptyState();
  for (const event of dedupe(events)) {
    const next = apply(state, event, rules, settings);
    const at = next.state.lastTs as number;
    const before = evaluate(state, rules, at);
    const after = evaluate(next.state, rules, at);
    const points: StepPoints[] = next.awards.map((a) => {
      const rule = rules.rules.find((r) => r.id === a.rule);
      return { rule: a.rule, label: rule?.label ?? a.rule, dimension: rule ? dimensionOf(rule) : "engagement", points: round(a.points) };
    });
    const was = held(before.breakdown, firing);
    const now = held(after.breakdown, firing);
    for (const rule of new Set([...was.keys(), ...now.keys()])) {
      const change = round((now.get(rule)?.points ?? 0) - (was.get(rule)?.points ?? 0));
      const entry = (now.get(rule) ?? was.get(rule)) as RuleContribution;
      if (change !== 0) points.push({ rule, label: entry.label, dimension: entry.dimension, points: change });
    }
    yield {
      event,
      at,
      total: after.total,
      dimensions: after.dimensions,
      class: after.class,
      grade: after.grade,
      prospect: after.prospect,
      delta: round(after.total - before.total),
      points,
    };
    state = next.state;
  }
}
