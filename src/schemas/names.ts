/**
 * Closed lists of names that appear in documents: the metrics `check` compares, the corpus
 * formats, the mixture proxies. Declared here so the schemas import nothing above them; the
 * code that gives each name its meaning (check/metrics.ts, corpus/, stats/mixture.ts) types its
 * tables by these lists, so a name cannot be added in one place only.
 */

/** Metrics `check` can compare, in table order (`mm.*` are the Miller-Madow entropies). */
export const METRIC_NAMES = ['conditional', 'shannon', 'joint', 'vne', 'tokens', 'documents', 'unigrams', 'bigrams', 'bigramTotal', 'mm.shannon', 'mm.joint', 'mm.conditional'] as const;
/** A metric `check` can compare. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Formats bimix reads ("auto": detect from magic bytes and sidecar files). */
export const FORMATS = ['auto', 'megatron', 'llmc', 'raw', 'npy', 'datatrove', 'arrow', 'parquet'] as const;
/** A format bimix reads. */
export type FormatName = (typeof FORMATS)[number];

/** Which entropy drives an entropy-driven mixture. */
export const PROXIES = ['conditional', 'shannon', 'joint', 'vne'] as const;
/** A mixture proxy. */
export type Proxy = (typeof PROXIES)[number];
