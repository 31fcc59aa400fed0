// Honesty tests: a model fitted to a population drawn from known weights must rank new leads well and
// find the weights that matter; with outcomes drawn at random it must find nothing.
import { describe, expect, it } from "vitest";
import { syntheticPopulation } from "../support/outcome-population";
import { fitLogistic, predictProbability, rocAuc } from "../../worker/scoring/logistic";
import { insightsOf, MIN_GROUP, normalCdf, twoProportionP, type OutcomeLead } from "../../worker/scoring/insights";
import { MIN_NOT_WON, MIN_WON, proposedRules, trainModel, type Example } from "../../worker/scoring/predictive";
import { ruleSetSchema } from "../../worker/scoring/rules";

const TRUE_WEIGHTS = [2, -1.5, 1, 0, 0, 0.4, 0, 0];
const INTERCEPT = -1;
const STRONG = [0, 1, 2]; // |weight| >= 1, in decreasing order of size

const features = syntheticPopulation({ n: 0, seed: 0, weights: TRUE_WEIGHTS, intercept: 0 }).features;

/** Fits on `train` and measures the ranking of `test`. */
const holdoutAuc = (train: Example[], test: Example[]) => {
  const model = trainModel(features, train);
  if (!model) throw new Error("too few outcomes to fit");
  return { model, auc: rocAuc(test.map((e) => predictProbability(model, e.x)), test.map((e) => (e.won ? 1 : 0))) as number };
};

/** The population as insights see it: each rule fired when its feature is above 0; the score adds the true weights' signs. */
const asLeads = (examples: Example[]): OutcomeLead[] =>
  examples.map((e) => ({ score: e.x.reduce((s, v, j) => s + v * Math.sign(TRUE_WEIGHTS[j] as number) * 10, 0), class: null, won: e.won, fired: e.x.map((v) => v > 0) }));

describe.each([11, 29, 47])("a population drawn from known weights (seed %i)", (seed) => {
  const { examples } = syntheticPopulation({ n: 5000, seed, weights: TRUE_WEIGHTS, intercept: INTERCEPT });
  const [train, test] = [examples.slice(0, 3000), examples.slice(3000)];

  it("ranks held-out leads with an AUC of at least 0.8", () => {
    expect(holdoutAuc(train, test).auc).toBeGreaterThanOrEqual(0.8);
  });

  it("recovers the sign and the order of the strong weights", () => {
    const { model } = holdoutAuc(train, test);
    for (const j of STRONG) expect(Math.sign(model.weights[j] as number)).toBe(Math.sign(TRUE_WEIGHTS[j] as number));
    const bySize = [...STRONG].sort((a, b) => Math.abs(model.weights[b] as number) - Math.abs(model.weights[a] as number));
    expect(bySize).toEqual(STRONG);
  });

  it("reports the strong rules' lift as significant", () => {
    const evidence = insightsOf(asLeads(examples), features.map((f) => f.name));
    expect(evidence.rules.filter((r) => r.significant).map((r) => r.rule)).toEqual(expect.arrayContaining(["rule-0", "rule-1", "rule-2"]));
  });
});

describe.each([5, 17, 23])("a population whose outcomes are drawn at random (seed %i)", (seed) => {
  const { examples } = syntheticPopulation({ n: 5000, seed, weights: TRUE_WEIGHTS, intercept: INTERCEPT, randomOutcomes: true });

  it("ranks held-out leads no better than chance", () => {
    const { auc } = holdoutAuc(examples.slice(0, 3000), examples.slice(3000));
    expect(Math.abs(auc - 0.5)).toBeLessThan(0.05);
  });

  it("reports no rule as lifting conversion significantly", () => {
    const evidence = insightsOf(asLeads(examples), features.map((f) => f.name));
    expect(evidence.rules.filter((r) => r.significant)).toEqual([]);
    expect(Math.abs((evidence.auc as number) - 0.5)).toBeLessThan(0.05);
  });
});

describe("small samples", () => {
  it("shows counts but no rate, lift or significance for groups under the minimum", () => {
    const leads: OutcomeLead[] = Array.from({ length: 15 }, (_, i) => ({ score: i, class: "warm", won: i < 9, fired: [i < 9] }));
    const evidence = insightsOf(leads, ["rule-a"]);
    expect(evidence.rules[0]).toEqual({ rule: "rule-a", fired: { leads: 9, won: 9, rate: null }, notFired: { leads: 6, won: 0, rate: null }, lift: null, pValue: null, significant: false });
    expect(evidence.classes).toEqual([{ class: "warm", leads: 15, won: 9, rate: 9 / 15 }]);
    expect(evidence.deciles.every((d) => d.leads < MIN_GROUP && d.rate === null)).toBe(true);
  });

  it("fits no model below 30 won and 30 others", () => {
    const { examples } = syntheticPopulation({ n: 200, seed: 3, weights: TRUE_WEIGHTS, intercept: INTERCEPT });
    const won = examples.filter((e) => e.won);
    const others = examples.filter((e) => !e.won);
    expect(trainModel(features, [...won.slice(0, MIN_WON - 1), ...others.slice(0, 100)])).toBeNull();
    expect(trainModel(features, [...won.slice(0, 100), ...others.slice(0, MIN_NOT_WON - 1)])).toBeNull();
    expect(trainModel(features, [...won.slice(0, MIN_WON), ...others.slice(0, MIN_NOT_WON)])).not.toBeNull();
  });
});

describe("the statistics", () => {
  it.each([
    [0, 0.5],
    [1.96, 0.975],
    [-1.96, 0.025],
    [3, 0.99865],
  ])("normalCdf(%d) is %d", (z, p) => expect(normalCdf(z)).toBeCloseTo(p, 4));

  it("gives a two-proportion p of about 0.05 at z = 1.96, and 1 for equal rates", () => {
    // 60/100 against 46.1/100 is z = 1.96 with the pooled variance; use counts close to it.
    expect(twoProportionP(60, 100, 46, 100)).toBeGreaterThan(0.04);
    expect(twoProportionP(60, 100, 46, 100)).toBeLessThan(0.06);
    expect(twoProportionP(10, 50, 20, 100)).toBeCloseTo(1, 6);
  });

  it("computes the AUC with ties counted half", () => {
    expect(rocAuc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([1, 2], [1, 1])).toBeNull();
  });

  it("fits a one-feature model to its true weight within noise", () => {
    const { examples } = syntheticPopulation({ n: 20_000, seed: 99, weights: [1.5], intercept: -0.5 });
    const x = Float64Array.from(examples.map((e) => e.x[0] as number));
    const fit = fitLogistic(x, Uint8Array.from(examples.map((e) => (e.won ? 1 : 0))), 1, { lambda: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.weights[0]).toBeCloseTo(1.5, 0);
    expect(fit.intercept).toBeCloseTo(-0.5, 0);
  });
});

describe("the proposed point set", () => {
  it("scales the model's effects to the site's point range, keeps rules it has no feature for, and is a valid rule set", () => {
    const rules = ruleSetSchema.parse({
      prospectAt: 30,
      rules: [
        { id: "pricing", points: 20, when: { event: "pricing_view" } },
        { id: "director", points: 10, when: { trait: "title", contains: "director" } },
        { id: "won-bonus", points: 3, when: { event: "outcome_won" } },
      ],
    });
    const model = { features: [{ name: "pricing", kind: "fired" as const, of: "pricing" }, { name: "director", kind: "holds" as const, of: "director" }], intercept: -1, weights: [1, 2 * Math.LN2], won: 40, notWon: 40, trainingAuc: 0.8, iterations: 5, converged: true };
    const proposal = proposedRules(rules, model);
    expect(proposal.rules.map((r) => [r.id, r.points])).toEqual([["pricing", 10], ["director", 20], ["won-bonus", 3]]);
    expect(ruleSetSchema.safeParse(proposal).success).toBe(true);
  });
});
