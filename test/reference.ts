/**
 * A tiny, obviously-correct reference for the counting contract, written with
 * plain loops and Maps so that it can be read at a glance. Tests compare the
 * native engine and `analyze()` against it.
 */

/** Exact counts of a set of documents. */
export interface RefCounts {
  /** Non-separator tokens. */
  tokens: number;
  /** Non-empty documents. */
  documents: number;
  unigrams: Map<number, number>;
  /** Bigram counts keyed like the native engine: left << 32 | right. */
  bigrams: Map<bigint, number>;
}

/** The entropies of a set of counts, in nats. */
export interface RefEntropies {
  shannon: number;
  joint: number;
  conditional: number;
  mmShannon: number;
  mmJoint: number;
  mmConditional: number;
}

/** The native key of a bigram. */
export function bigramKey(left: number, right: number): bigint {
  return (BigInt(left) << 32n) | BigInt(right);
}

/** Counts unigrams and bigrams of documents that are already split (no separators inside). */
export function countDocuments(docs: ArrayLike<number>[]): RefCounts {
  const unigrams = new Map<number, number>();
  const bigrams = new Map<bigint, number>();
  let tokens = 0;
  let documents = 0;
  for (const doc of docs) {
    if (doc.length > 0) documents += 1;
    for (let i = 0; i < doc.length; i++) {
      const t = doc[i]!;
      unigrams.set(t, (unigrams.get(t) ?? 0) + 1);
      tokens += 1;
      if (i + 1 < doc.length) {
        const k = bigramKey(t, doc[i + 1]!);
        bigrams.set(k, (bigrams.get(k) ?? 0) + 1);
      }
    }
  }
  return { tokens, documents, unigrams, bigrams };
}

/**
 * Splits a token stream into documents at every separator (the separator itself
 * belongs to no document). Empty documents are kept; they count as nothing.
 * With no separator the whole stream is one document.
 */
export function splitStream(tokens: ArrayLike<number>, separator?: number): number[][] {
  const docs: number[][] = [[]];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (separator !== undefined && t === separator) docs.push([]);
    else docs[docs.length - 1]!.push(t);
  }
  return docs;
}

/**
 * Splits a stream by explicit document ends (exclusive token positions), then
 * each piece by the separator when one is given.
 */
export function splitByEnds(tokens: ArrayLike<number>, ends: ArrayLike<number>, separator?: number): number[][] {
  const docs: number[][] = [];
  let start = 0;
  const all = Array.from(ends);
  if (all.length === 0 || all[all.length - 1] !== tokens.length) all.push(tokens.length);
  for (const end of all) {
    const piece: number[] = [];
    for (let i = start; i < end; i++) piece.push(tokens[i]!);
    docs.push(...splitStream(piece, separator));
    start = end;
  }
  return docs;
}

/** llm.c: every document is preceded by the separator; returns the stream and its documents. */
export function llmcStream(docs: ArrayLike<number>[], separator: number): { stream: number[]; docs: number[][] } {
  const stream: number[] = [];
  for (const d of docs) {
    stream.push(separator);
    for (let i = 0; i < d.length; i++) stream.push(d[i]!);
  }
  return { stream, docs: splitStream(stream, separator) };
}

/** Merges counts of several corpora (e.g. several files of one domain). */
export function mergeCounts(parts: RefCounts[]): RefCounts {
  const out: RefCounts = { tokens: 0, documents: 0, unigrams: new Map(), bigrams: new Map() };
  for (const p of parts) {
    out.tokens += p.tokens;
    out.documents += p.documents;
    for (const [k, v] of p.unigrams) out.unigrams.set(k, (out.unigrams.get(k) ?? 0) + v);
    for (const [k, v] of p.bigrams) out.bigrams.set(k, (out.bigrams.get(k) ?? 0) + v);
  }
  return out;
}

/** Plug-in entropy -sum p ln p of plain counts, in nats. */
export function plugIn(counts: Iterable<number>): number {
  const list = [...counts].filter((c) => c > 0);
  let n = 0;
  for (const c of list) n += c;
  if (n === 0) return 0;
  let h = 0;
  for (const c of list) {
    const p = c / n;
    h -= p * Math.log(p);
  }
  return h;
}

/** Miller-Madow: plug-in + (K - 1) / (2N). */
export function millerMadow(counts: Iterable<number>): number {
  const list = [...counts].filter((c) => c > 0);
  let n = 0;
  for (const c of list) n += c;
  if (n === 0) return 0;
  return plugIn(list) + (list.length - 1) / (2 * n);
}

/** Counts of each token as the LEFT element of a bigram. */
export function leftMarginal(bigrams: Map<bigint, number>): Map<number, number> {
  const left = new Map<number, number>();
  for (const [k, c] of bigrams) {
    const l = Number(k >> 32n);
    left.set(l, (left.get(l) ?? 0) + c);
  }
  return left;
}

/** Shannon, joint and conditional (= joint - H(left marginal)) entropies, plug-in and Miller-Madow. */
export function entropies(c: RefCounts): RefEntropies {
  const left = leftMarginal(c.bigrams);
  const shannon = plugIn(c.unigrams.values());
  const joint = plugIn(c.bigrams.values());
  const mmShannon = millerMadow(c.unigrams.values());
  const mmJoint = millerMadow(c.bigrams.values());
  return {
    shannon,
    joint,
    conditional: Math.max(0, joint - plugIn(left.values())),
    mmShannon,
    mmJoint,
    mmConditional: Math.max(0, mmJoint - millerMadow(left.values())),
  };
}

/** True when a and b agree within `rel` relative error (exact zero matches zero). */
export function closeRel(a: number, b: number, rel = 1e-12): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

/** A small seeded PRNG (mulberry32) for test inputs. */
export class TestRng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/**
 * Random documents over `alphabet` with awkward structure: empty documents,
 * one-token documents, runs of empty documents, and longer ones.
 */
export function randomDocs(rng: TestRng, count: number, alphabet: readonly number[], maxLen = 40): number[][] {
  const docs: number[][] = [];
  for (let d = 0; d < count; d++) {
    const r = rng.next();
    const len = r < 0.15 ? 0 : r < 0.3 ? 1 : r < 0.4 ? 2 : 1 + rng.int(maxLen);
    const doc: number[] = [];
    for (let i = 0; i < len; i++) doc.push(rng.pick(alphabet));
    docs.push(doc);
  }
  return docs;
}

/**
 * A random separator-delimited stream: separators at both ends (sometimes),
 * consecutive separators, one-token documents. If `alphabet` holds the
 * separator too, documents split further; the reference splits the stream
 * itself, so that only adds structure.
 */
export function randomStream(rng: TestRng, docs: number, alphabet: readonly number[], separator: number): number[] {
  const out: number[] = [];
  if (rng.next() < 0.6) out.push(separator);
  if (rng.next() < 0.3) out.push(separator);
  for (const d of randomDocs(rng, docs, alphabet)) {
    out.push(...d);
    out.push(separator);
    if (rng.next() < 0.1) out.push(separator);
  }
  if (rng.next() < 0.5) out.pop(); // sometimes no trailing separator
  return out;
}
