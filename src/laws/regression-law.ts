/**
 * The regression law: RegMix's method (arXiv 2407.01492), one gradient-boosted tree model per
 * evaluated domain predicting its loss from the whole mixture (every mixture column, training-only
 * domains included). RegMix uses LightGBM; bimix uses XGBoost's C API set up the same way
 * (histogram method, leaf-wise growth with at most 31 leaves, learning rate 0.01, 1000 rounds,
 * 20 rows per leaf at least, no L2, 255 bins, base score = the mean loss), exactly as
 * scripts/regmix-reference.py runs XGBoost's Python package, so the two give the same trees.
 *
 * XGBoost is loaded at run time (native/regress/xgboost.h); without it this law fails with
 * E_NO_XGBOOST and the other laws work as before. Trees have no step dimension: like the
 * exponential law, a domain is fitted on each run's final-step loss.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BimixError } from '../errors.js';
import { loadAddon, type NativeAddon } from '../engine/native.js';
import type { LossData, Observation } from './data.js';
import { finalStepObservations } from './exp-law.js';
import type { DomainFit, RegressionParams } from './law-types.js';

/** min_child_weight: with squared error every row weighs 1, so a leaf needs this many rows. */
const MIN_ROWS_PER_LEAF = 20;

/** XGBoost parameters, in the order they are set (RegMix's LightGBM settings mapped to XGBoost). */
export const REGRESSION_SETTINGS: readonly (readonly [string, string])[] = [
  ['objective', 'reg:squarederror'],
  ['tree_method', 'hist'],
  ['grow_policy', 'lossguide'],
  ['max_leaves', '31'],
  ['max_depth', '0'],
  ['eta', '0.01'],
  ['min_child_weight', String(MIN_ROWS_PER_LEAF)],
  ['reg_lambda', '0.0'],
  ['max_bin', '255'],
  // One thread per model: the fits run in parallel on the worker pool instead. (On the
  // real-shaped sweep 1, 2 and 4 threads gave identical trees; one thread makes sure.)
  ['nthread', '1'],
  ['seed', '0'],
];

/** Boosting rounds (trees per domain). */
export const REGRESSION_ROUNDS = 1000;

/** How the model text is stored in the law file. */
export const MODEL_ENCODING = 'xgboost-json+deflate+base64';

let addon: NativeAddon | undefined;

/** The addon with XGBoost loaded; throws E_NO_XGBOOST (or E_NATIVE without the addon) naming how to get it. */
export function requireXgboost(): NativeAddon {
  if (addon) return addon;
  const a = loadAddon();
  const info = a.xgboostInfo();
  if (!info.loaded) {
    throw new BimixError(
      'E_NO_XGBOOST',
      `${info.error}. The regression law needs XGBoost's shared library (1.7 or later): ` +
        (process.env.BIMIX_XGBOOST_LIB
          ? 'BIMIX_XGBOOST_LIB names the only file tried; point it at libxgboost or unset it'
          : 'install it (Debian/Ubuntu: apt-get install libxgboost0) or set BIMIX_XGBOOST_LIB to its path'),
    );
  }
  addon = a;
  return a;
}

/** The version of the XGBoost library in use (loading it if needed). */
export function xgboostVersion(): string {
  return requireXgboost().xgboostInfo().version;
}

/**
 * Sum as NumPy computes it for float64 (pairwise, 8-way unrolled blocks of up to 128): the base
 * score is the mean loss and reaches XGBoost as a decimal string, so it is computed the way the
 * reference script computes it.
 */
function numpySum(a: readonly number[], lo = 0, n = a.length): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[lo + i]!;
    return s;
  }
  if (n <= 128) {
    const r = a.slice(lo, lo + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + a[lo + i + j]!;
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[lo + i]!;
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, lo, n2) + numpySum(a, lo + n2, n - n2);
}

/** The mixtures of `obs` as a row-major float32 matrix (XGBoost's feature type). */
function featureRows(data: LossData, obs: readonly Observation[]): Float32Array {
  const m = data.domains.length;
  const x = new Float32Array(obs.length * m);
  obs.forEach((o, i) => x.set(data.mixtures[o.runIndex]!, i * m));
  return x;
}

/**
 * Fits domain `d`'s trees on the final-step observations among `obs` and predicts `at` with them
 * (in `at`'s order; NaN-free). `keepModel` false leaves the model out of the parameters (holdout
 * folds only need their predictions).
 */
export function fitRegressionDomain(
  data: LossData,
  d: number,
  obs: readonly Observation[],
  at: readonly Observation[] = [],
  keepModel = true,
): DomainFit & { predicted: number[] } {
  const a = requireXgboost();
  const all = obs.filter((o) => o.domainIndex === d);
  // Rows in run order, as the reference builds its matrix (histogram sums depend on row order).
  const mine = finalStepObservations(all).sort((p, q) => p.runIndex - q.runIndex);
  const name = data.domains[d]!;
  const minRows = 2;
  if (mine.length < minRows) {
    throw new BimixError('E_DATA', `domain "${name}": too few points for the regression law: ${mine.length} final-step point(s), at least ${minRows} needed`, {
      column: name,
    });
  }
  const m = data.domains.length;
  const y = mine.map((o) => o.loss);
  const baseScore = String(numpySum(y) / y.length);
  const settings = [...REGRESSION_SETTINGS.flat(), 'base_score', baseScore, 'validate_parameters', '1'];
  // One call trains and predicts `at` followed by the training rows (for the residual sum of squares).
  const rows = [...at, ...mine];
  const out = a.xgboostTrain(featureRows(data, mine), mine.length, m, Float32Array.from(y), settings, REGRESSION_ROUNDS, featureRows(data, rows), rows.length);
  const predicted = Array.from(out.predictions.subarray(0, at.length));
  let rss = 0;
  out.predictions.subarray(at.length).forEach((p, i) => (rss += (y[i]! - p) ** 2));
  const steps = [...new Set(mine.map((o) => o.step))];
  const lawParams: RegressionParams = {
    encoding: MODEL_ENCODING,
    model: keepModel ? deflateRawSync(out.model).toString('base64') : '',
    features: [...data.domains],
    trees: REGRESSION_ROUNDS,
    baseScore,
    step: Math.max(...steps),
  };
  const notes = [`fitted at each run's final step (${steps.join(', ')}); ${all.length - mine.length} earlier point(s) not used`];
  if (mine.length < 2 * MIN_ROWS_PER_LEAF) {
    notes.push(`${mine.length} point(s): with at least ${MIN_ROWS_PER_LEAF} rows per leaf the trees cannot split, so the law predicts the mean loss for every mixture`);
  }
  return { params: lawParams, points: mine.length, excluded: 0, rss, undetermined: [], notes, predicted };
}

const decoded = new WeakMap<RegressionParams, string>();

/** The XGBoost JSON text of a stored model. */
export function modelText(p: RegressionParams): string {
  let text = decoded.get(p);
  if (text === undefined) {
    if (p.encoding !== MODEL_ENCODING) throw new BimixError('E_SCHEMA', `regression model encoding must be "${MODEL_ENCODING}", found ${JSON.stringify(p.encoding)}`);
    if (p.model === '') throw new BimixError('E_SCHEMA', 'the regression law has no model (a holdout fold fit, not a law)');
    text = inflateRawSync(Buffer.from(p.model, 'base64')).toString('utf8');
    decoded.set(p, text);
  }
  return text;
}

/** Predicted loss for each mixture (given in `order`, which must be the model's feature order). */
export function predictRegressionRows(p: RegressionParams, order: readonly string[], mixtures: readonly (readonly number[])[], threads = 1): number[] {
  if (order.length !== p.features.length || order.some((d, j) => d !== p.features[j])) {
    throw new BimixError('E_SCHEMA', `regression model features (${p.features.join(', ')}) differ from the law's domain order (${order.join(', ')})`);
  }
  const a = requireXgboost();
  const m = order.length;
  const x = new Float32Array(mixtures.length * m);
  mixtures.forEach((r, i) => x.set(r, i * m));
  return Array.from(a.xgboostPredict(modelText(p), x, mixtures.length, m, threads));
}

/** Predicted loss for one mixture. */
export function predictRegression(p: RegressionParams, order: readonly string[], mixture: readonly number[]): number {
  return predictRegressionRows(p, order, [mixture])[0]!;
}
