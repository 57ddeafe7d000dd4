/**
 * Checks on the files a command will write, made before any work starts: a path is
 * given, its folder exists and is writable, it is not a folder, and it is none of the
 * command's inputs (compared by device and inode, so links and other spellings count).
 */
import { accessSync, constants, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { BimixError, optionError } from '../errors.js';

/** Refuses an empty path option (`--out ''`), which would otherwise mean "write nothing". */
export function requirePath(option: string, value: string | undefined): void {
  if (value !== undefined && value.trim() === '') throw optionError(option, 'a file path', value);
}

/** Checks an output file before any work: non-empty, not a folder, in an existing writable folder. */
export function checkOutputPath(option: string, file: string | undefined): void {
  if (file === undefined) return;
  requirePath(option, file);
  const abs = path.resolve(file);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new BimixError('E_USAGE', `${option}: is a folder; give a file path`, { file: abs });
  // A device or pipe (/dev/stdout, /dev/null, a process substitution) is written straight into.
  if (st && (st.isCharacterDevice() || st.isFIFO())) return;
  if (st && !st.isFile()) throw new BimixError('E_USAGE', `${option}: not a regular file`, { file: abs });
  requireWritableFolder(option, path.dirname(real(abs)), abs);
}

/** Checks a folder a command will write temporary files into: it exists, is a folder and is writable (E_IO naming `option` otherwise). */
export function checkWritableDir(option: string, dir: string): void {
  requirePath(option, dir);
  const abs = path.resolve(dir);
  requireWritableFolder(option, abs, abs);
}

/** E_IO naming `option` (and `file`) unless `dir` exists, is a folder and can be written into. */
function requireWritableFolder(option: string, dir: string, file: string): void {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st) throw new BimixError('E_IO', `${option}: the folder ${dir} does not exist`, { file });
  if (!st.isDirectory()) throw new BimixError('E_IO', `${option}: ${dir} is not a folder`, { file });
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new BimixError('E_IO', `${option}: the folder ${dir} is not writable`, { file });
  }
}

function same(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Refuses an output that is one of the inputs (it would overwrite the data it reads). Inputs
 * that do not exist are ignored: they fail on their own with a better message.
 */
export function refuseOutputAmongInputs(option: string, out: string | undefined, inputs: Iterable<string>): void {
  if (out === undefined) return;
  const abs = path.resolve(out);
  const ost = statSync(abs, { throwIfNoEntry: false });
  const oreal = real(abs);
  for (const input of inputs) {
    const ist = statSync(input, { throwIfNoEntry: false });
    if ((ost && ist && same(ost, ist)) || real(input) === oreal) {
      throw new BimixError('E_USAGE', `${option} names an input file (${input}); writing there would destroy it`, { file: abs });
    }
  }
}
