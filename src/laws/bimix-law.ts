/** The BiMix law (arXiv 2405.14908): L_i(r_i, s) = r_i^-alpha_i (b_i s^-beta_i + c_i), one independent law per domain. */
import { BimixError } from '../errors.js';
import type { LossData, Observation } from './data.js';
import { bimixShape, fitBimixPoints, type BimixPoint } from './bimix-fit.js';
import type { BimixParams, DomainFit } from './law-types.js';

/** The normalisation under which A, B, C are reported. */
export const BIMIX_NORMALISATION = 'A = 1, so B = b and C = c (only r^-alpha (b s^-beta + c) is identifiable)';

/** Turns fitted identifiable parameters into the reported parameter object. */
export function bimixParams(alpha: number, beta: number, b: number, c: number): BimixParams {
  return { alpha, beta, b, c, A: 1, B: b, C: c };
}

/** Fits domain `d` on the given observations; zero-share points are excluded and counted. */
export function fitBimixDomain(data: LossData, d: number, obs: readonly Observation[]): DomainFit {
  const mine = obs.filter((o) => o.domainIndex === d);
  const points: BimixPoint[] = [];
  let excluded = 0;
  for (const o of mine) {
    const r = data.mixtures[o.runIndex]![d]!;
    if (r > 0) points.push({ r, s: o.step, y: o.loss });
    else excluded++;
  }
  requirePoints(data.domains[d]!, points, excluded);
  const f = fitBimixPoints(points);
  const notes = [...f.notes];
  if (excluded > 0) notes.unshift(`${excluded} point(s) with proportion 0 excluded: they cannot inform r^-alpha`);
  return { params: bimixParams(f.alpha, f.beta, f.b, f.c), points: points.length, excluded, rss: f.rss, undetermined: f.undetermined, notes };
}

/** Throws E_DATA when a domain has fewer points than the parameters its data shape needs. */
export function requirePoints(name: string, points: readonly BimixPoint[], excluded: number): void {
  const shape = bimixShape(points);
  if (points.length < Math.max(1, shape.nParams)) {
    throw new BimixError(
      'E_DATA',
      `domain "${name}": too few points: ${points.length} usable point(s)${excluded ? ` (${excluded} with proportion 0 excluded)` : ''} ` +
        `for ${shape.nParams} parameter(s) (${shape.names.join(', ')})`,
      { column: name },
    );
  }
}

/** Predicted loss of a domain with BiMix parameters at share r and step s (Infinity at r = 0 unless alpha = 0). */
export function predictBimix(p: BimixParams, r: number, s: number): number {
  if (r <= 0) return p.alpha === 0 ? p.b * Math.pow(s, -p.beta) + p.c : Number.POSITIVE_INFINITY;
  return Math.pow(r, -p.alpha) * (p.b * Math.pow(s, -p.beta) + p.c);
}
