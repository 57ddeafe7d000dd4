/** bimix: the public, typed API. */
export { analyze, analyzeFullAndSampled, defaultMemoryBytes, proxyEntropies, type AnalyzeOptions, type ProgressEvent } from './analyze/index.js';
export { ANALYSIS_SCHEMA, type AnalysisReport, type DomainReport, type ReportFile, type DomainEntropy } from './report.js';
export {
  entropiesFromCounts,
  plugInEntropy,
  millerMadowEntropy,
  histogramOf,
  type EntropyInputs,
  type EntropySet,
} from './stats/entropy.js';
export { mixtureFromEntropies, PROXIES, type Mixture, type MixtureOptions, type Proxy } from './stats/mixture.js';
export { BimixError, isBimixError, type ErrorCode } from './errors.js';
export { ERROR_CODES, isErrorCode } from './error-codes.js';
export type { ReportWarning, WarningCode } from './report-warnings.js';
export type { DomainSpec, ReadOptions, FormatName } from './corpus/types.js';
export { ensureSampleCorpus } from './corpus/sample.js';
export * as writers from './corpus/writers.js';
export type { CountHistogram } from './engine/native.js';
export * from './laws/index.js';
export * from './growth/index.js';
export { readConfigFile as loadConfig, parseDomainArgs, validateReadOptions } from './corpus/config.js';
export { vneFromVectors, readEmbeddingsNpy } from './stats/vne.js';
export * from './check/index.js';
export { SCHEMAS, SCHEMA_KINDS, jsonSchemaOf, schemaId, type SchemaKind } from './schemas/index.js';
