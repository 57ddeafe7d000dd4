/**
 * One assertion shared by the format tests: a report's domain equals the plain-loop
 * reference (test/reference.ts) in every count and entropy.
 */
import { expect } from 'vitest';
import type { DomainReport } from '../src/report.js';
import { closeRel, entropies, type RefCounts } from './reference.js';

/** Counts exactly, and the six entropies (plug-in and Miller-Madow) within 1e-12 relative. */
export function expectDomainMatchesReference(d: DomainReport, ref: RefCounts): void {
  const e = entropies(ref);
  let total = 0;
  for (const c of ref.bigrams.values()) total += c;
  expect(d.tokens, d.name).toBe(ref.tokens);
  expect(d.documents, d.name).toBe(ref.documents);
  expect(d.unigrams.distinct, d.name).toBe(ref.unigrams.size);
  expect(d.bigrams, d.name).toEqual({ total, distinct: ref.bigrams.size });
  const pairs: [string, number | null, number][] = [
    ['shannon', d.entropy.shannon, e.shannon],
    ['joint', d.entropy.joint, e.joint],
    ['conditional', d.entropy.conditional, e.conditional],
    ['mm shannon', d.millerMadow.shannon, e.mmShannon],
    ['mm joint', d.millerMadow.joint, e.mmJoint],
    ['mm conditional', d.millerMadow.conditional, e.mmConditional],
  ];
  for (const [what, got, want] of pairs) expect(got !== null && closeRel(got, want), `${d.name} ${what}: ${got} vs ${want}`).toBe(true);
}
