/**
 * Markov-chain token streams with analytically known conditional entropy: from
 * every state the next token is uniform over `successors` distinct ids, so
 * H(X_t+1 | X_t) = ln(successors) exactly, whatever the stationary distribution.
 */
import { Rng } from './rng.js';

export interface MarkovSpec {
  /** Token ids are drawn from [firstId, firstId + vocab). */
  vocab: number;
  firstId: number;
  successors: number;
  seed: number;
  /** Mean document length (geometric); some documents come out empty or one token long. */
  meanDocLength: number;
}

/** The chain's exact conditional entropy in nats. */
export function analyticConditional(spec: Pick<MarkovSpec, 'successors'>): number {
  return Math.log(spec.successors);
}

/** Generates documents totalling about `tokens` tokens. */
export function generateMarkovDocs(spec: MarkovSpec, tokens: number): Uint32Array[] {
  const rng = new Rng(spec.seed);
  const table = new Uint32Array(spec.vocab * spec.successors);
  for (let x = 0; x < spec.vocab; x++) {
    // k distinct successors by partial Fisher-Yates over a small pool.
    const chosen = new Set<number>();
    while (chosen.size < spec.successors) chosen.add(rng.int(spec.vocab));
    let j = 0;
    for (const c of chosen) table[x * spec.successors + j++] = c;
  }
  const docs: Uint32Array[] = [];
  let total = 0;
  const p = 1 / spec.meanDocLength;
  while (total < tokens) {
    const u = rng.next();
    const r = rng.next();
    let len = r < 0.02 ? 0 : r < 0.04 ? 1 : Math.max(1, Math.ceil(Math.log(1 - u) / Math.log(1 - p)));
    len = Math.min(len, tokens - total + 1);
    const doc = new Uint32Array(len);
    let x = rng.int(spec.vocab);
    for (let i = 0; i < len; i++) {
      doc[i] = spec.firstId + x;
      x = table[x * spec.successors + rng.int(spec.successors)]!;
    }
    docs.push(doc);
    total += len;
  }
  return docs;
}
