import { featureValues, firedAt, type Feature } from "./features";
import { fitLogistic, predictProbability, rocAuc } from "./logistic";
import type { RuleSet } from "./rules";
import type { ScoreState } from "./state";

/** A site needs at least this many won leads, and as many others with an outcome, before it gets a model. */
export const MIN_WON = 30;
export const MIN_NOT_WON = 30;

/**
 * The L2 penalty on standardised weights: it keeps a rule that fired for only won (or only lost) leads
 * from an infinite weight, and weighs little against the log-likelihood of 60 or more leads.
 */
export const LAMBDA = 1;

/** A site's fitted model of P(won) and what it was fitted on. */
export interface PredictiveModel {
  features: Feature[];
  intercept: number;
  /** Per feature, on the feature's own scale (see Feature). */
  weights: number[];
  won: number;
  notWon: number;
  /** ROC AUC of the model on the leads it was fitted on (an optimistic figure: see README). */
  trainingAuc: number | null;
  iterations: number;
  converged: boolean;
}

/** One training example: a lead's feature values and whether it was won. */
export interface Example {
  x: number[];
  won: boolean;
}

/** Fits the model, or answers null when there are too few won or other leads. */
export function trainModel(features: Feature[], examples: readonly Example[]): PredictiveModel | null {
  const won = examples.filter((e) => e.won).length;
  const notWon = examples.length - won;
  if (won < MIN_WON || notWon < MIN_NOT_WON) return null;
  const p = features.length;
  const x = new Float64Array(examples.length * p);
  const y = new Uint8Array(examples.length);
  examples.forEach((e, i) => {
    x.set(e.x, i * p);
    y[i] = e.won ? 1 : 0;
  });
  const fit = fitLogistic(x, y, p, { lambda: LAMBDA });
  const auc = rocAuc(examples.map((e) => predictProbability(fit, e.x)), y);
  return { features, intercept: fit.intercept, weights: fit.weights, won, notWon, trainingAuc: auc, iterations: fit.iterations, converged: fit.converged };
}

/** A lead's probability of being won under a model, at time t. */
export function probabilityOf(model: PredictiveModel, rules: RuleSet, state: ScoreState, t: number): number {
  return Math.round(predictProbability(model, featureValues(firedAt(state, rules, t), state.traits, model.features)) * 1000) / 1000;
}

/**
 * A point set from the model: each rule's effect on the log-odds of winning (one firing, or holding),
 * scaled so the largest matches the largest points of the current rules, in whole points. Rules the
 * model has no feature for keep their points. A proposal to preview, never to publish unseen.
 */
export function proposedRules(rules: RuleSet, model: PredictiveModel): RuleSet {
  const effects = new Map<string, number>();
  model.features.forEach((f, j) => {
    const w = model.weights[j] as number;
    if (f.kind === "fired") effects.set(f.of, w * Math.LN2);
    else if (f.kind === "holds") effects.set(f.of, w);
  });
  const range = Math.max(1, ...rules.rules.filter((r) => effects.has(r.id)).map((r) => Math.abs(r.points)));
  const largest = Math.max(...effects.values(), ...[...effects.values()].map((e) => -e), 0);
  const scale = largest > 0 ? range / largest : 0;
  return {
    ...rules,
    rules: rules.rules.map((r) => {
      const effect = effects.get(r.id);
      return effect === undefined ? r : { ...r, points: Math.round(effect * scale) };
    }),
  };
}
