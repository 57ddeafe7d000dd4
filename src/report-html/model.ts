/** What a report page is made of: sections of charts, tables and notes, built from the inputs. */
import type { AnalysisReport } from '../report.js';
import type { CheckResult } from '../check/compare.js';
import type { LossData } from '../laws/data.js';
import type { LawComparison } from '../laws/fit-laws.js';
import type { LawReport } from '../laws/law-types.js';
import type { OptimizeResult } from '../laws/optimize.js';

/** A Vega-Lite chart: its specification carries its data inline (`data.values`). */
export interface Chart {
  title: string;
  spec: Record<string, unknown>;
  /** Names that must each have a mark in the rendered chart (the domains it shows). */
  domains: string[];
  caption?: string;
}

/** One block of a section: a chart with the table of its numbers beside it, or a note alone. */
export interface Block {
  chart?: Chart;
  /** Pre-escaped HTML of the table. */
  table?: string;
  /** Pre-escaped HTML notes shown above the chart. */
  notes?: string[];
}

/** One section of the page. */
export interface Section {
  id: string;
  title: string;
  /** Pre-escaped HTML paragraphs under the title. */
  intro: string[];
  blocks: Block[];
}

/** An input document with the file it came from. */
export interface Sourced<T> {
  file: string;
  doc: T;
}

/** Everything a page can show; sections appear for what is present. */
export interface ReportInputs {
  analyses: Sourced<AnalysisReport>[];
  checks: Sourced<CheckResult>[];
  laws: Sourced<LawReport>[];
  /** `bimix fit --law all --json` output: every law plus the like-for-like comparison. */
  comparisons: Sourced<LawComparison>[];
  /** `bimix optimize --json` output. */
  optimizations: Sourced<OptimizeResult>[];
  /** A reference mixture to draw beside the others. */
  reference?: Sourced<Record<string, number>>;
  /** The loss data a law was fitted on: adds observed points to the law charts. */
  lossData?: LossData;
  /** Training steps at which law curves are drawn (default: the optimizer's, else the data's last step). */
  steps?: number;
}

/** An empty set of inputs. */
export function emptyInputs(): ReportInputs {
  return { analyses: [], checks: [], laws: [], comparisons: [], optimizations: [] };
}
