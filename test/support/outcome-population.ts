import type { Feature } from "../../worker/scoring/features";
import type { Example } from "../../worker/scoring/predictive";
import { seededRandom } from "../../tracker/demo/seeded-random";

export { seededRandom };

export interface Population {
  features: Feature[];
  examples: Example[];
}

/**
 * Leads with rule features drawn at random (even positions: how often an event rule fired, as
 * log(1 + firings); odd positions: whether a fit rule holds) and outcomes drawn from the true model
 * P(won) = sigmoid(intercept + Σ weights[j] x[j]), or, with `randomOutcomes`, independently of the
 * features at the rate sigmoid(intercept).
 */
export function syntheticPopulation(options: { n: number; seed: number; weights: number[]; intercept: number; randomOutcomes?: boolean }): Population {
  const random = seededRandom(options.seed);
  const features: Feature[] = options.weights.map((_, j) => ({ name: `rule-${j}`, kind: j % 2 === 0 ? "fired" : "holds", of: `rule-${j}` }));
  const examples: Example[] = [];
  for (let i = 0; i < options.n; i++) {
    const x = features.map((f) => {
      if (f.kind === "holds") return random() < 0.4 ? 1 : 0;
      // Firings: 0 for about half the leads, then a geometric tail.
      let count = 0;
      while (random() < 0.55 && count < 50) count++;
      return Math.log1p(count);
    });
    const eta = options.randomOutcomes ? options.intercept : x.reduce((sum, v, j) => sum + v * (options.weights[j] as number), options.intercept);
    examples.push({ x, won: random() < 1 / (1 + Math.exp(-eta)) });
  }
  return { features, examples };
}
