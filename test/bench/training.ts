// Training cost of the predictive model: L2 logistic regression (IRLS) on 10,000 and 100,000 synthetic
// leads with 20 rule features, fitted to outcomes drawn from known weights (test/support). CPU time on
// one core, and the size of the feature matrix the fit holds. Bundled by esbuild and run in Node.
import { syntheticPopulation } from "../support/outcome-population";
import { trainModel } from "../../worker/scoring/predictive";

const FEATURES = 20;
const weights = Array.from({ length: FEATURES }, (_, j) => (j < 5 ? [2, -1.5, 1, 0.8, -0.6][j] as number : 0));

const cpuMs = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const sizes = [10_000, 100_000].map((leads) => {
  const { features, examples } = syntheticPopulation({ n: leads, seed: 42, weights, intercept: -1 });
  const start = process.cpuUsage();
  const model = trainModel(features, examples);
  const ms = cpuMs(start);
  if (!model) throw new Error("the population has too few outcomes to fit");
  return { leads, ms: Math.round(ms), iterations: model.iterations, matrixBytes: leads * FEATURES * 8, auc: Math.round((model.trainingAuc ?? 0) * 1000) / 1000 };
});

console.log(`BENCH ${JSON.stringify({ bench: "training", features: FEATURES, node: process.version, sizes })}`);
