/** The piscina worker entry of counting: runs one count, merge or embed task with the steps every executor uses. */
import { runCountTask, runEmbedTask, runMergeTask } from './count-step.js';
import { replyOf, type Task, type WorkerReply } from './protocol.js';

/** Errors cross the thread boundary as plain objects so their code survives. */
export default async function handle(task: Task): Promise<WorkerReply<unknown>> {
  switch (task.kind) {
    case 'count':
      return replyOf(() => runCountTask(task));
    case 'merge':
      return replyOf(() => runMergeTask(task));
    case 'embed':
      return replyOf(() => runEmbedTask(task));
  }
}
