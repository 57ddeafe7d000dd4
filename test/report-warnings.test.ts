import { describe, expect, it } from 'vitest';
import { domainWarnings, type DomainShape } from '../src/report-warnings.js';

const raw = [{ format: 'raw' }];
const base: DomainShape = { name: 'web', files: raw, read: { eos: 0 }, tokens: 5_000_000, documents: 10_000, separators: 10_000, unigramDistinct: 30_000, maxId: 50_000 };

describe('warnings for suspicious shapes', () => {
  const rows: [string, Partial<DomainShape>, string[], RegExp?][] = [
    ['an ordinary domain', {}, []],
    ['raw data without --eos: one document per file of millions of tokens', { read: {}, documents: 2, separators: 0 }, ['W_NO_DOCUMENT_BOUNDARIES'], /2 documents in 5000000 tokens \(one per 2500000\) of raw data.*no document boundaries: pass --eos\?/],
    ['npy data, exactly one document per 1M tokens', { files: [{ format: 'npy' }], read: {}, tokens: 1_000_000, documents: 1, separators: 0 }, ['W_NO_DOCUMENT_BOUNDARIES'], /of npy data/],
    ['one document per 999,999 tokens is fine', { read: {}, tokens: 999_999, documents: 1, separators: 0 }, []],
    ['Megatron data has its own document index', { files: [{ format: 'megatron' }], read: {}, documents: 1, separators: 0 }, []],
    ['a mix of raw and megatron files', { files: [{ format: 'raw' }, { format: 'megatron' }], read: {}, documents: 1, separators: 0 }, []],
    ['--eos given but it never occurs', { documents: 1, separators: 0 }, ['W_NO_DOCUMENT_BOUNDARIES', 'W_SEPARATOR_ABSENT'], /is --eos 0 the separator\?/],
    ['a separator that never occurs in Megatron data', { files: [{ format: 'megatron' }], separators: 0 }, ['W_SEPARATOR_ABSENT'], /separator id 0 \(--eos\) never occurs/],
    ['ids using < 1% of the observed range (u16 data read as u32?)', { maxId: 4_000_000_000, unigramDistinct: 30_000 }, ['W_SPARSE_VOCABULARY'], /0\.00075% of the observed id range 0\.\.4000000000/],
    ['ids using < 1% of --vocab', { read: { eos: 0, vocab: 16_000_000 }, maxId: 50_000 }, ['W_SPARSE_VOCABULARY'], /0\.188% of the declared vocabulary \(--vocab 16000000\)/],
    ['exactly 1% of --vocab is fine', { read: { eos: 0, vocab: 3_000_000 } }, []],
    ['the separator id counts in the observed range', { read: { eos: 199 }, maxId: 98, unigramDistinct: 1 }, ['W_SPARSE_VOCABULARY'], /0\.5% of the observed id range 0\.\.199 \(200 ids\)/],
    ['sampled analyses (no exact counts) get only the document check', { read: {}, documents: 1, separators: undefined, unigramDistinct: undefined, maxId: undefined }, ['W_NO_DOCUMENT_BOUNDARIES']],
  ];
  for (const [name, patch, codes, message] of rows) {
    it(name, () => {
      const w = domainWarnings({ ...base, ...patch });
      expect(w.map((x) => x.code)).toEqual(codes);
      for (const x of w) {
        expect(x.domain).toBe('web');
        expect(x.message).toMatch(/^domain web: /);
        expect(x.message).not.toContain('\n');
      }
      if (message) expect(w.map((x) => x.message).join('\n')).toMatch(message);
    });
  }
});
