/** The piscina worker entry: runs one task with the same steps every executor uses. */
import { BimixError } from '../errors.js';
import { runCountTask, runEmbedTask, runMergeTask } from './count-step.js';
import { runLawFitTask } from './law-step.js';
import type { Task, WireError } from './protocol.js';

/** Errors cross the thread boundary as plain objects so their code survives. */
export default async function handle(task: Task): Promise<unknown> {
  try {
    switch (task.kind) {
      case 'count':
        return { ok: await runCountTask(task) };
      case 'merge':
        return { ok: runMergeTask(task) };
      case 'embed':
        return { ok: await runEmbedTask(task) };
      case 'law-fit':
        return { ok: runLawFitTask(task) };
    }
  } catch (e) {
    const wire: WireError =
      e instanceof BimixError
        ? { code: e.code, message: e.detail, ...(e.file ? { file: e.file } : {}), ...(e.offset !== undefined ? { offset: e.offset } : {}) }
        : { code: 'E_NATIVE', message: (e as Error)?.stack ?? String(e) };
    return { error: wire };
  }
}
