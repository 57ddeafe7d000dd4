import { promises as fsp, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { BimixError, isBimixError } from '../errors.js';
import { throwIfProcessStopping } from './stop-request.js';

let counter = 0;

/**
 * Where to write: through symlinks to the file they name (renaming over a link would replace
 * the link), and straight into a character device or pipe (`/dev/stdout`, `/dev/null`, a
 * process substitution), which a rename would replace with a plain file.
 */
function resolveTarget(target: string): { file: string; direct: boolean } {
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st) return { file: target, direct: false };
  if (st.isCharacterDevice() || st.isFIFO()) return { file: target, direct: true };
  if (!st.isFile()) throw new BimixError('E_IO', 'cannot write: not a regular file', { file: target });
  try {
    return { file: realpathSync(target), direct: false };
  } catch {
    return { file: target, direct: false };
  }
}

function tempName(target: string): string {
  counter += 1;
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${counter}.tmp`);
}

/** Flushes a folder's entries (the rename) to disk; some file systems refuse to sync a folder, which is fine. */
async function syncDir(dir: string): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(dir, 'r');
    await h.sync();
  } catch {
    /* not supported here: the rename is still atomic, only not yet durable */
  } finally {
    await h?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `target` through a temporary file in the same folder and a rename, so readers never see
 * half a file: the file is fsynced before the rename and the folder after it, so a crash leaves the old
 * file or the whole new one.
 */
export async function writeFileAtomic(targetIn: string, data: string | Uint8Array): Promise<void> {
  const { file: target, direct } = resolveTarget(targetIn);
  if (direct) {
    await fsp.writeFile(target, data).catch((e: Error) => {
      throw new BimixError('E_IO', `cannot write: ${e.message}`, { file: targetIn });
    });
    return;
  }
  const tmp = tempName(target);
  try {
    const h = await fsp.open(tmp, 'w');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    throwIfProcessStopping();
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (isBimixError(e)) throw e;
    throw new BimixError('E_IO', `cannot write: ${(e as Error).message}`, { file: target });
  }
  await syncDir(path.dirname(target));
}

