/**
 * Warnings about data whose shape suggests it was misread: a report that looks right but
 * probably is not. They go in the report's `warnings` array and, one line each, to stderr.
 * They depend only on the counts and the domain's settings, so analyze and a Slurm merge of
 * the same corpus give the same warnings.
 */
import type { FileEntry, ReadOptions } from './corpus/types.js';

/** Stable warning codes; tests and scripts may match on them. */
export type WarningCode =
  | 'W_NO_DOCUMENT_BOUNDARIES'
  | 'W_SPARSE_VOCABULARY'
  | 'W_SEPARATOR_ABSENT'
  /** Sampled mode: a domain's sample holds fewer documents than the jackknife has groups. */
  | 'W_SMALL_SAMPLE'
  /** Sampled mode: a mixture proportion's interval is wide. */
  | 'W_UNCERTAIN_MIXTURE'
  /** The VNE proxy of a domain rests on fewer windows than the target: not comparable across domains. */
  | 'W_VNE_FEW_WINDOWS';

/** One warning of a report. */
export interface ReportWarning {
  code: WarningCode;
  domain: string;
  message: string;
}

/** One document per this many tokens (or more) in data that takes its boundaries from --eos is suspicious. */
const TOKENS_PER_DOCUMENT_LIMIT = 1_000_000;
/** Token ids that use less than this share of the vocabulary (declared, or observed as max id + 1) are suspicious. */
const VOCABULARY_SHARE_LIMIT = 0.01;

/** Formats whose document boundaries come only from a separator (--eos) or a sidecar. */
const EOS_DELIMITED = new Set(['raw', 'npy']);

/** What the warnings look at for one domain. */
export interface DomainShape {
  name: string;
  files: Pick<FileEntry, 'format'>[];
  read: Pick<ReadOptions, 'eos' | 'vocab'>;
  tokens: number;
  documents: number;
  /** Exact counts only (not known for sampled analyses). */
  separators?: number;
  unigramDistinct?: number;
  /** Largest token id counted, separators excluded; -1 when none. */
  maxId?: number;
}

const round = (x: number) => Number(x.toPrecision(3));

/** The warnings of one domain, in a fixed order. */
export function domainWarnings(d: DomainShape): ReportWarning[] {
  const out: ReportWarning[] = [];
  const add = (code: WarningCode, message: string) => out.push({ code, domain: d.name, message: `domain ${d.name}: ${message}` });
  const eos = d.read.eos;
  if (d.files.length > 0 && d.files.every((f) => EOS_DELIMITED.has(f.format)) && d.tokens >= TOKENS_PER_DOCUMENT_LIMIT * Math.max(1, d.documents)) {
    const per = round(d.tokens / Math.max(1, d.documents));
    const formats = [...new Set(d.files.map((f) => f.format))].join('/');
    add(
      'W_NO_DOCUMENT_BOUNDARIES',
      `${d.documents} document${d.documents === 1 ? '' : 's'} in ${d.tokens} tokens (one per ${per}) of ${formats} data, whose document boundaries come from --eos: ` +
        (eos === undefined ? 'no document boundaries: pass --eos?' : `is --eos ${eos} the separator?`),
    );
  }
  if (d.unigramDistinct !== undefined && d.maxId !== undefined && d.maxId >= 0) {
    // The separator is a vocabulary id too, though it is not counted as a unigram.
    const top = eos !== undefined && (d.separators ?? 0) > 0 ? Math.max(d.maxId, eos) : d.maxId;
    const vocab = d.read.vocab ?? top + 1;
    const share = d.unigramDistinct / vocab;
    if (share < VOCABULARY_SHARE_LIMIT) {
      const of = d.read.vocab !== undefined ? `the declared vocabulary (--vocab ${vocab})` : `the observed id range 0..${top} (${vocab} ids)`;
      add('W_SPARSE_VOCABULARY', `the token ids use ${d.unigramDistinct} distinct values, ${round(100 * share)}% of ${of}: wrong --dtype, --format or --vocab?`);
    }
  }
  if (eos !== undefined && d.separators === 0) {
    add('W_SEPARATOR_ABSENT', `the separator id ${eos} (--eos) never occurs: documents are not split; is it the right id?`);
  }
  return out;
}
