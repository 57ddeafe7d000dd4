/** The piscina worker pool: one worker per core by default, running the tasks of protocol.ts. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { BimixError, type ErrorCode } from '../errors.js';
import type { Task, WorkerReply } from './protocol.js';

/**
 * Where a compiled worker entry lives, given relative to the source root (tests run sources
 * through vitest, workers always run dist/).
 */
function workerFile(entry: string): string {
  const here = fileURLToPath(import.meta.url);
  const built = path.resolve(path.dirname(here), '..', entry);
  if (here.endsWith('.js') && existsSync(built)) return built;
  const dist = path.resolve(path.dirname(here), '..', '..', 'dist', entry);
  if (!existsSync(dist)) throw new BimixError('E_NATIVE', `worker script not built: ${dist} (run npm run build)`);
  return dist;
}

/** Default thread count: the cores this process may use. */
export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/**
 * A pool of workers running the tasks `T` of one worker entry: by default the counting worker
 * (count, merge and embed tasks of protocol.ts); the law fitter passes its own entry.
 */
export class WorkerPool<T extends { kind: string } = Task> {
  private readonly pool: Piscina;

  constructor(
    readonly threads: number,
    entry = 'exec/worker.js',
  ) {
    this.pool = new Piscina({
      filename: workerFile(entry),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // Counting tasks are long; keep the queue unbounded and order-preserving.
      maxQueue: Infinity,
      concurrentTasksPerWorker: 1,
    });
  }

  /** Runs one task; worker-side errors come back as BimixErrors with their code, file and offset. */
  async run<R>(task: T): Promise<R> {
    const reply = (await this.pool.run(task)) as WorkerReply<R>;
    if (reply.error) {
      const e = reply.error;
      throw new BimixError(e.code as ErrorCode, e.message, {
        ...(e.file ? { file: e.file } : {}),
        ...(e.offset !== undefined ? { offset: e.offset } : {}),
      });
    }
    return reply.ok as R;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
