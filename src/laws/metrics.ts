/** Goodness-of-fit measures shared by every law: R^2 on log loss (BiMix's metric), RMSE and mean relative error. */

/** The three scores reported for a fit or a holdout. null when undefined (e.g. R^2 of constant data). */
export interface FitScores {
  r2Log: number | null;
  rmse: number | null;
  mre: number | null;
}

/** Coefficient of determination of log(predicted) against log(observed). */
export function r2Log(observed: readonly number[], predicted: readonly number[]): number | null {
  const n = observed.length;
  if (n === 0) return null;
  const lo = observed.map(Math.log);
  const mean = lo.reduce((a, b) => a + b, 0) / n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (lo[i]! - Math.log(predicted[i]!)) ** 2;
    ssTot += (lo[i]! - mean) ** 2;
  }
  if (!(ssTot > 0) || !Number.isFinite(ssRes)) return null;
  return 1 - ssRes / ssTot;
}

/** Root mean squared error of the loss itself. */
export function rmse(observed: readonly number[], predicted: readonly number[]): number | null {
  if (observed.length === 0) return null;
  let s = 0;
  for (let i = 0; i < observed.length; i++) s += (observed[i]! - predicted[i]!) ** 2;
  const v = Math.sqrt(s / observed.length);
  return Number.isFinite(v) ? v : null;
}

/** Mean of |predicted - observed| / observed. */
export function mre(observed: readonly number[], predicted: readonly number[]): number | null {
  if (observed.length === 0) return null;
  let s = 0;
  for (let i = 0; i < observed.length; i++) s += Math.abs(predicted[i]! - observed[i]!) / observed[i]!;
  const v = s / observed.length;
  return Number.isFinite(v) ? v : null;
}

/** All three scores at once. */
export function scores(observed: readonly number[], predicted: readonly number[]): FitScores {
  return { r2Log: r2Log(observed, predicted), rmse: rmse(observed, predicted), mre: mre(observed, predicted) };
}
