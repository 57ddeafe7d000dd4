/** Runs law-fitting jobs on the worker pool, one job per task, reporting progress as jobs finish. */
import type { FitJob, FitOutcome, JobRunner } from './fit-jobs.js';
import { encodeLossData, type LawFitTask } from './law-step.js';
import { WorkerPool } from '../exec/pool.js';

/** Called after each finished job with the count done, the total and the job. */
export type FitProgress = (done: number, total: number, job: FitJob) => void;

/** A job runner that fits on `threads` workers (the pool is started and stopped per call). */
export function poolJobRunner(threads: number, onProgress?: FitProgress): JobRunner {
  return async (data, jobs, holdout, opts) => {
    const pool = new WorkerPool<LawFitTask>(threads, 'laws/law-worker.js');
    try {
      const wire = encodeLossData(data);
      let done = 0;
      return await Promise.all(
        jobs.map(async (job) => {
          const [out] = await pool.run<FitOutcome[]>({ kind: 'law-fit', data: wire, jobs: [job], holdout, opts });
          onProgress?.(++done, jobs.length, job);
          return out!;
        }),
      );
    } finally {
      await pool.close();
    }
  };
}
