/**
 * The Gstack growth guideline of "Stacking Your Transformers" (Du et al., arXiv 2405.15319):
 * train a small model for d tokens, then grow it 4x in depth by stacking, with
 *   log10(d) = 0.88 log10(N) + 163.27 / log10(C) - 5.74,  C = 6 N D.
 */
import { optionError } from '../errors.js';

/** The paper's depthwise growth factor. */
export const GROWTH_FACTOR = 4;

/** Inputs of {@link planGrowth}: target parameters N, training tokens D, optional target depth. */
export interface GrowthInput {
  params: number;
  tokens: number;
  layers?: number;
}

/** The growth plan. */
export interface GrowthPlan {
  growthTokens: number;
  growthFactor: 4;
  computeFlops: number;
  smallModelLayers?: number;
  /** growthTokens / tokens. */
  tokenShare: number;
  warnings: string[];
}

/** Range the paper trained on: 410M to 7B parameters, up to 750B tokens. */
export const GSTACK_RANGE = { minParams: 410e6, maxParams: 7e9, maxTokens: 750e9 };

/** Plans when to grow (the token count d) for a target model of N parameters trained on D tokens. */
export function planGrowth(input: GrowthInput): GrowthPlan {
  const { params: N, tokens: D, layers } = input;
  if (!(Number.isFinite(N) && N > 0)) throw optionError('--params', 'a positive parameter count', N);
  if (!(Number.isFinite(D) && D > 0)) throw optionError('--tokens', 'a positive token count', D);
  const C = 6 * N * D;
  if (!(Math.log10(C) > 0)) throw optionError('--params/--tokens', 'a compute budget 6*N*D above 1 FLOP', C);
  const d = Math.pow(10, 0.88 * Math.log10(N) + 163.27 / Math.log10(C) - 5.74);
  const warnings: string[] = [];
  if (N < GSTACK_RANGE.minParams || N > GSTACK_RANGE.maxParams) {
    warnings.push(`N = ${N} lies outside the 410M-7B parameters the guideline was fitted on: d is an extrapolation`);
  }
  if (D > GSTACK_RANGE.maxTokens) warnings.push(`D = ${D} exceeds the 750B tokens the guideline was fitted on: d is an extrapolation`);
  if (layers !== undefined) {
    if (!(Number.isInteger(layers) && layers > 0)) throw optionError('--layers', 'a positive whole number', layers);
    if (layers % GROWTH_FACTOR !== 0) throw optionError('--layers', `a multiple of ${GROWTH_FACTOR} (the small model has L/${GROWTH_FACTOR} layers, stacked ${GROWTH_FACTOR}x)`, layers);
  }
  if (d > D) {
    throw optionError('--tokens', `a budget beyond the growth point: the guideline grows after d = ${Number(d.toPrecision(4))} tokens, more than D`, D);
  }
  const plan: GrowthPlan = { growthTokens: d, growthFactor: GROWTH_FACTOR, computeFlops: C, tokenShare: d / D, warnings };
  if (layers !== undefined) {
    plan.smallModelLayers = layers / GROWTH_FACTOR;
  }
  return plan;
}
