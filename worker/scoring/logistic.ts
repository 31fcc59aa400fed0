/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) on standardised features: a few
 * passes over the data whatever its size, deterministic, no dependencies. (mljs's ml-logistic-regression
 * runs 50,000 fixed-step gradient passes without an intercept, a penalty or standardisation, and pulls
 * in ml-matrix; this needs a few dozen lines.)
 */

/** A fitted model on the original feature scale: P(y=1 | x) = sigmoid(intercept + Σ weights[j] x[j]). */
export interface LogisticModel {
  intercept: number;
  weights: number[];
  /** Newton steps taken, and whether the change in weights fell below the tolerance. */
  iterations: number;
  converged: boolean;
}

export interface FitOptions {
  /** The L2 penalty λ on the standardised weights (not the intercept): the fit maximises log-likelihood − λ/2 Σ β². */
  lambda?: number;
  maxIterations?: number;
  tolerance?: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A x = b for a symmetric positive-definite A (row-major, n×n) by Cholesky; A and b are not kept. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) l[i * n + i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i * n + j] = sum / (l[j * n + j] as number);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = sum / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/**
 * Fits P(y=1) on n rows of p features (`x` row-major, n×p; `y` 0 or 1). Features are standardised for the
 * fit (a constant feature gets weight 0) and the weights are returned on the original scale.
 */
export function fitLogistic(x: Float64Array | Float32Array, y: Uint8Array, p: number, options: FitOptions = {}): LogisticModel {
  const { lambda = 1, maxIterations = 50, tolerance = 1e-6 } = options;
  const n = y.length;
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] = (mean[j] as number) + (x[i * p + j] as number) / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const d = (x[i * p + j] as number) - (mean[j] as number);
      scale[j] = (scale[j] as number) + (d * d) / n;
    }
  }
  for (let j = 0; j < p; j++) scale[j] = Math.sqrt(scale[j] as number);
  const k = p + 1; // the intercept is parameter 0
  const beta = new Float64Array(k);
  const z = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations += 1;
    const hessian = new Float64Array(k * k);
    const gradient = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      z[0] = 1;
      let eta = beta[0] as number;
      for (let j = 0; j < p; j++) {
        const s = scale[j] as number;
        const v = s > 0 ? ((x[i * p + j] as number) - (mean[j] as number)) / s : 0;
        z[j + 1] = v;
        eta += (beta[j + 1] as number) * v;
      }
      const mu = sigmoid(eta);
      const w = Math.max(mu * (1 - mu), 1e-10);
      const r = (y[i] as number) - mu;
      for (let a = 0; a < k; a++) {
        const za = z[a] as number;
        if (za === 0) continue;
        gradient[a] = (gradient[a] as number) + za * r;
        const row = a * k;
        for (let b = 0; b <= a; b++) hessian[row + b] = (hessian[row + b] as number) + w * za * (z[b] as number);
      }
    }
    // The penalty: lambda per lead on each standardised weight, none on the intercept.
    for (let a = 1; a < k; a++) {
      gradient[a] = (gradient[a] as number) - lambda * (beta[a] as number);
      hessian[a * k + a] = (hessian[a * k + a] as number) + lambda;
    }
    hessian[0] = (hessian[0] as number) + 1e-9;
    for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) hessian[a * k + b] = hessian[b * k + a] as number;
    const step = solveSpd(hessian, gradient, k);
    let change = 0;
    for (let a = 0; a < k; a++) {
      beta[a] = (beta[a] as number) + (step[a] as number);
      change = Math.max(change, Math.abs(step[a] as number));
    }
    converged = change < tolerance;
  }
  const weights = Array.from({ length: p }, (_, j) => ((scale[j] as number) > 0 ? (beta[j + 1] as number) / (scale[j] as number) : 0));
  const intercept = (beta[0] as number) - weights.reduce((sum, wj, j) => sum + wj * (mean[j] as number), 0);
  return { intercept, weights, iterations, converged };
}

/** The model's probability for one row of features. */
export function predictProbability(model: Pick<LogisticModel, "intercept" | "weights">, features: ArrayLike<number>): number {
  let eta = model.intercept;
  for (let j = 0; j < model.weights.length; j++) eta += (model.weights[j] as number) * (features[j] ?? 0);
  return sigmoid(eta);
}

/** ROC AUC of scores against 0/1 labels (the chance a random positive outscores a random negative; ties count half). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (labels[order[t] as number] === 1) {
        positives += 1;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
