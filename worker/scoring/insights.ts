import { rocAuc } from "./logistic";

/** No rate or lift is shown for a group of fewer leads than this: a handful of outcomes proves nothing. */
export const MIN_GROUP = 10;
/** The significance level for a rule's lift, before the Bonferroni correction over the rules tested. */
export const ALPHA = 0.05;

/** A lead with an outcome, as insights need it. */
export interface OutcomeLead {
  score: number;
  class: string | null;
  won: boolean;
  /** Per rule (in the order insights are given the ids): did it fire for, or does it hold for, the lead? */
  fired: boolean[];
}

/** A group's count, wins and conversion rate (null below MIN_GROUP). */
export interface Rate {
  leads: number;
  won: number;
  rate: number | null;
}

export interface Band extends Rate {
  /** Score range of the band (inclusive). */
  from: number;
  to: number;
}

export interface RuleEvidence {
  rule: string;
  fired: Rate;
  notFired: Rate;
  /** fired.rate / notFired.rate, when both rates are shown and the second is above 0. */
  lift: number | null;
  /** Two-sided p-value of a two-proportion z test, when both groups reach MIN_GROUP. */
  pValue: number | null;
  /** p below ALPHA divided by the number of rules tested (Bonferroni). */
  significant: boolean;
}

export interface Insights {
  leads: number;
  won: number;
  notWon: number;
  /** ROC AUC of the score for won against the rest (null without both). */
  auc: number | null;
  deciles: Band[];
  classes: (Rate & { class: string | null })[];
  rules: RuleEvidence[];
  minGroup: number;
}

const rateOf = (leads: number, won: number): Rate => ({ leads, won, rate: leads >= MIN_GROUP ? won / leads : null });

/** The standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-sided p-value of the pooled two-proportion z test of x1/n1 against x2/n2 (1 when there is no variance). */
export function twoProportionP(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  const z = (x1 / n1 - x2 / n2) / se;
  return 2 * (1 - normalCdf(Math.abs(z)));
}

/** Evidence from leads with an outcome: conversion per score decile and class, per rule, and the score's AUC. */
export function insightsOf(leads: readonly OutcomeLead[], ruleIds: readonly string[]): Insights {
  const won = leads.filter((l) => l.won).length;
  const sorted = [...leads].sort((a, b) => a.score - b.score);
  const deciles: Band[] = [];
  for (let d = 0; d < 10 && sorted.length > 0; d++) {
    const part = sorted.slice(Math.floor((d * sorted.length) / 10), Math.floor(((d + 1) * sorted.length) / 10));
    if (part.length === 0) continue;
    deciles.push({ from: (part[0] as OutcomeLead).score, to: (part.at(-1) as OutcomeLead).score, ...rateOf(part.length, part.filter((l) => l.won).length) });
  }
  const byClass = new Map<string | null, { leads: number; won: number }>();
  for (const l of leads) {
    const g = byClass.get(l.class) ?? { leads: 0, won: 0 };
    g.leads += 1;
    g.won += l.won ? 1 : 0;
    byClass.set(l.class, g);
  }
  const tested = ruleIds.filter((_, i) => {
    const n1 = leads.filter((l) => l.fired[i]).length;
    return n1 >= MIN_GROUP && leads.length - n1 >= MIN_GROUP;
  }).length;
  const rules = ruleIds.map((rule, i): RuleEvidence => {
    let n1 = 0;
    let x1 = 0;
    for (const l of leads) {
      if (!l.fired[i]) continue;
      n1 += 1;
      x1 += l.won ? 1 : 0;
    }
    const fired = rateOf(n1, x1);
    const notFired = rateOf(leads.length - n1, won - x1);
    const comparable = fired.rate !== null && notFired.rate !== null;
    const pValue = comparable ? twoProportionP(x1, n1, won - x1, leads.length - n1) : null;
    return {
      rule,
      fired,
      notFired,
      lift: comparable && (notFired.rate as number) > 0 ? (fired.rate as number) / (notFired.rate as number) : null,
      pValue,
      significant: pValue !== null && pValue < ALPHA / Math.max(1, tested),
    };
  });
  return {
    leads: leads.length,
    won,
    notWon: leads.length - won,
    auc: rocAuc(leads.map((l) => l.score), leads.map((l) => (l.won ? 1 : 0))),
    deciles,
    classes: [...byClass].map(([cls, g]) => ({ class: cls, ...rateOf(g.leads, g.won) })).sort((a, b) => b.leads - a.leads),
    rules,
    minGroup: MIN_GROUP,
  };
}
