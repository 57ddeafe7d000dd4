/**
 * Ordering categories in charts without putting input strings into Vega expressions. Vega-Lite
 * compiles a `sort: [names...]` array into an expression string, which a name holding U+2028 (or
 * anything the expression parser rejects) breaks; a numeric rank field sorts the same way safely.
 */

/** Sort by the numeric `rank` field (a Vega-Lite sort for a nominal channel). */
export const BY_RANK = { field: 'rank', op: 'min' } as const;

/** Sort by another numeric field. */
export function byField(field: string): { field: string; op: 'min' } {
  return { field, op: 'min' };
}

/** Adds `rank` = position of the row's domain in `order` (unknown domains go last). */
export function withRank<T extends { domain: string }>(rows: T[], order: readonly string[]): (T & { rank: number })[] {
  const pos = new Map(order.map((d, i) => [d, i]));
  return rows.map((r) => ({ ...r, rank: pos.get(r.domain) ?? order.length }));
}
