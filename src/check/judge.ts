/** The verdict on one metric: is the move from baseline to current within tolerance? */
import type { Tolerance } from './policy.js';

/** The outcome for one value pair. */
export interface Judgement {
  pass: boolean;
  /** The allowed absolute move: atol + rtol * |baseline|. */
  allowed: number;
  reason: string;
}

/** Allowed absolute change for a baseline value under a tolerance. */
export function allowedChange(baseline: number, tol: Tolerance): number {
  return tol.atol + tol.rtol * Math.abs(baseline);
}

function pct(x: number): string {
  const p = 100 * x;
  return `${Number(p.toPrecision(3))}%`;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

/**
 * Exact mode: a regression is a move beyond the allowed change in a direction the
 * tolerance forbids ("decrease": only falls, "increase": only rises, "both": either).
 */
export function judgePoint(baseline: number, current: number, tol: Tolerance): Judgement {
  const allowed = allowedChange(baseline, tol);
  const change = current - baseline;
  // A change exactly at the limit passes despite rounding in current - baseline.
  const limit = allowed + 4 * Number.EPSILON * Math.max(Math.abs(baseline), Math.abs(current));
  const rel = baseline !== 0 ? Math.abs(change) / Math.abs(baseline) : undefined;
  const size = rel !== undefined ? pct(rel) : num(Math.abs(change));
  const fellTooFar = change < -limit && tol.direction !== 'increase';
  const roseTooFar = change > limit && tol.direction !== 'decrease';
  if (fellTooFar) return { pass: false, allowed, reason: `fell ${size}, more than the ${num(allowed)} allowed` };
  if (roseTooFar) return { pass: false, allowed, reason: `rose ${size}, more than the ${num(allowed)} allowed` };
  if (change === 0) return { pass: true, allowed, reason: 'unchanged' };
  const beyond = Math.abs(change) > limit;
  return { pass: true, allowed, reason: beyond ? `${change < 0 ? 'fell' : 'rose'} ${size}, allowed by direction ${tol.direction}` : `${change < 0 ? 'fell' : 'rose'} ${size}, within tolerance` };
}
