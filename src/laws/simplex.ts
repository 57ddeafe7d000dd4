/** Euclidean projection onto the capped simplex { r : sum r = 1, lo <= r <= hi }. */

/** Projects v onto { sum r = 1, lo_i <= r_i <= hi_i } (assumed non-empty) by bisection on the shift. */
export function projectCappedSimplex(v: readonly number[], lo: readonly number[], hi: readonly number[]): number[] {
  const at = (theta: number): number[] => v.map((x, i) => Math.min(hi[i]!, Math.max(lo[i]!, x - theta)));
  const sum = (r: number[]) => r.reduce((a, b) => a + b, 0);
  let a = Math.min(...v.map((x, i) => x - hi[i]!)) - 1;
  let b = Math.max(...v.map((x, i) => x - lo[i]!)) + 1;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (a + b);
    if (sum(at(mid)) > 1) a = mid;
    else b = mid;
  }
  return fixSum(at(0.5 * (a + b)), lo, hi);
}

/** Removes rounding drift from a vector so it sums to 1, moving only entries strictly inside their bounds. */
export function fixSum(r: number[], lo: readonly number[], hi: readonly number[]): number[] {
  const out = [...r];
  for (let pass = 0; pass < 3; pass++) {
    const gap = 1 - out.reduce((a, b) => a + b, 0);
    if (gap === 0) break;
    const free = out.map((x, i) => (gap > 0 ? hi[i]! - x : x - lo[i]!));
    const room = free.reduce((a, b) => a + Math.max(0, b), 0);
    if (room <= 0) break;
    out.forEach((x, i) => (out[i] = Math.min(hi[i]!, Math.max(lo[i]!, x + (gap * Math.max(0, free[i]!)) / room))));
  }
  return out;
}
