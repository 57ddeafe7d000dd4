/** The piscina worker entry of law fitting: runs one `law-fit` task (src/laws/law-step.ts). */
import { replyOf, type WorkerReply } from '../exec/protocol.js';
import { runLawFitTask, type LawFitTask } from './law-step.js';

/** Errors cross the thread boundary as plain objects so their code survives. */
export default async function handle(task: LawFitTask): Promise<WorkerReply<unknown>> {
  return replyOf(() => runLawFitTask(task));
}
