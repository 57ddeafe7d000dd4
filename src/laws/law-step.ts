/**
 * The law-fitting task of the worker pool: loss data travels once per run as shared memory, each
 * task names the fit jobs to run, and the worker answers with their outcomes.
 */
import type { LossData, Observation } from './data.js';
import { runJob, type FitJob, type FitOutcome } from './fit-jobs.js';
import type { HoldoutSpec } from './holdout.js';
import type { LawFitOptions } from './law-types.js';

/** Loss data in a form that crosses threads without copying (numbers in shared memory). */
export interface WireLossData {
  /** Distinguishes data sets so a worker decodes each once. */
  id: string;
  domains: string[];
  runs: number;
  stepUnit: string;
  hasSteps: boolean;
  evaluated: number[];
  /** runs x domains, row-major. */
  mixtures: Float64Array;
  /** Observations as (run, domain, step, loss) quadruples. */
  observations: Float64Array;
}

/** Fit the named jobs on the data. */
export interface LawFitTask {
  kind: 'law-fit';
  data: WireLossData;
  jobs: FitJob[];
  holdout?: HoldoutSpec;
  opts: LawFitOptions;
}

let counter = 0;

/** Packs loss data into shared memory for {@link LawFitTask}s. */
export function encodeLossData(data: LossData): WireLossData {
  const m = data.domains.length;
  const mixtures = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, data.runs.length * m)));
  data.mixtures.forEach((row, i) => row.forEach((v, j) => (mixtures[i * m + j] = v)));
  const observations = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, 4 * data.observations.length)));
  data.observations.forEach((o, i) => observations.set([o.runIndex, o.domainIndex, o.step, o.loss], 4 * i));
  return {
    id: `${process.pid}-${++counter}`,
    domains: data.domains,
    runs: data.runs.length,
    stepUnit: data.stepUnit,
    hasSteps: data.hasSteps,
    evaluated: data.evaluated,
    mixtures,
    observations,
  };
}

/** Rebuilds loss data from its wire form (runs are named by index: fits never use run names). */
export function decodeLossData(w: WireLossData): LossData {
  const m = w.domains.length;
  const mixtures = Array.from({ length: w.runs }, (_, i) => Array.from(w.mixtures.subarray(i * m, (i + 1) * m)));
  const observations: Observation[] = [];
  for (let i = 0; i < w.observations.length / 4; i++) {
    const o = w.observations.subarray(4 * i, 4 * i + 4);
    observations.push({ runIndex: o[0]!, domainIndex: o[1]!, step: o[2]!, loss: o[3]!, file: '', row: 0 });
  }
  const runs = Array.from({ length: w.runs }, (_, i) => String(i));
  return { domains: w.domains, runs, mixtures, observations, stepUnit: w.stepUnit, hasSteps: w.hasSteps, evaluated: w.evaluated, notes: [] };
}

let cached: { id: string; data: LossData } | undefined;

/** Runs a law-fitting task (in a worker). */
export function runLawFitTask(task: LawFitTask): FitOutcome[] {
  if (cached?.id !== task.data.id) cached = { id: task.data.id, data: decodeLossData(task.data) };
  return task.jobs.map((j) => runJob(cached!.data, j, task.holdout, task.opts));
}
