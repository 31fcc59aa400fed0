import type { Feature } from "../../worker/scoring/features";
import type { Example } from "../../worker/scoring/predictive";

/** A small seeded PRNG (mulberry32): the same seed gives the same population on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

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
