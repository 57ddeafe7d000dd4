import { promises as fsp, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { BimixError, isBimixError } from '../errors.js';
import { throwIfProcessStopping } from './stop-request.js';

let counter = 0;

function tempName(target: string): string {
  counter += 1;
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${counter}.tmp`);
}

/** Writes `data` to `target` through a temporary file in the same folder and a rename, so readers never see half a file. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempName(target);
  try {
    await fsp.writeFile(tmp, data);
    throwIfProcessStopping();
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (isBimixError(e)) throw e;
    throw new BimixError('E_IO', `cannot write: ${(e as Error).message}`, { file: target });
  }
}

/** Synchronous twin of {@link writeFileAtomic}, for exit paths. */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const tmp = tempName(target);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw new BimixError('E_IO', `cannot write: ${(e as Error).message}`, { file: target });
  }
}
