/** The piscina worker pool: one worker per core by default, running the tasks of protocol.ts. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { BimixError, type ErrorCode } from '../errors.js';
import type { Task, WireError } from './protocol.js';

/** Where the compiled worker lives (tests run sources through vitest, workers always run dist/). */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = path.join(path.dirname(here), 'worker.js');
  if (here.endsWith('.js') && existsSync(beside)) return beside;
  const dist = path.resolve(path.dirname(here), '..', '..', 'dist', 'exec', 'worker.js');
  if (!existsSync(dist)) throw new BimixError('E_NATIVE', `worker script not built: ${dist} (run npm run build)`);
  return dist;
}

/** Default thread count: the cores this process may use. */
export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** A pool of counting workers. */
export class WorkerPool {
  private readonly pool: Piscina;

  constructor(readonly threads: number) {
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // Counting tasks are long; keep the queue unbounded and order-preserving.
      maxQueue: Infinity,
      concurrentTasksPerWorker: 1,
    });
  }

  /** Runs one task; worker-side errors come back as BimixErrors with their code, file and offset. */
  async run<R>(task: Task): Promise<R> {
    const reply = (await this.pool.run(task)) as { ok?: R; error?: WireError };
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
