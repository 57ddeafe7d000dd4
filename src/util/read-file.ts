/**
 * The one way TypeScript reads an input file. Every path is opened
 * non-blocking (a FIFO cannot hang the open), must be a regular file (not a
 * device, FIFO, socket or directory), and is read up to a size cap, so no input
 * can stall the run or grow memory without bound.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { BimixError } from '../errors.js';

const MB = 1024 * 1024;

/** Size caps of the text inputs; generous for real use, finite for /dev/zero and friends. */
export const READ_LIMITS = {
  /** Configs, reports, baselines, policies, law files, manifests. */
  json: 256 * MB,
  /** Loss and mixture tables. */
  csv: 256 * MB,
  /** Compressed dolma sidecars (their decompressed size is bounded separately). */
  sidecar: 512 * MB,
} as const;

/** Human size for messages: "256 MB". */
export function formatBytes(n: number): string {
  if (n >= MB && n % MB === 0) return `${n / MB} MB`;
  return `${n} bytes`;
}

/** Why `file` could not be opened, in words that do not call an existing path missing. */
function openError(file: string, e: NodeJS.ErrnoException): BimixError {
  if (e.code === 'ENOENT') return new BimixError('E_IO', 'does not exist', { file });
  if (e.code === 'EISDIR') return new BimixError('E_IO', 'is a directory', { file });
  if (e.code === 'EACCES' || e.code === 'EPERM') return new BimixError('E_IO', 'permission denied', { file });
  if (e.code === 'ELOOP') return new BimixError('E_IO', 'is a symbolic link loop', { file });
  return new BimixError('E_IO', `cannot open: ${e.code ?? e.message}`, { file });
}

/** An open regular file: its descriptor and fstat at open time. Close with {@link closeSync}. */
export interface OpenedFile {
  fd: number;
  stat: Stats;
}

/** Opens `file` read-only and non-blocking and checks it is a regular file (E_IO otherwise). */
export function openRegularFile(file: string): OpenedFile {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw openError(file, e as NodeJS.ErrnoException);
  }
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw new BimixError('E_IO', `cannot stat: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  if (!stat.isFile()) {
    closeSync(fd);
    throw new BimixError('E_IO', stat.isDirectory() ? 'is a directory' : 'not a regular file', { file });
  }
  return { fd, stat };
}

/** Reads exactly `length` bytes at `position` of an open file; E_CHANGED if the file ends first. */
function readExactly(f: OpenedFile, file: string, position: number, length: number): Buffer {
  // Not from the shared pool: callers view the bytes as aligned typed arrays.
  const buf = Buffer.allocUnsafeSlow(length);
  let got = 0;
  while (got < length) {
    let n: number;
    try {
      n = readSync(f.fd, buf, got, length - got, position + got);
    } catch (e) {
      throw new BimixError('E_IO', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
    }
    if (n === 0) throw new BimixError('E_CHANGED', `changed while being read (ended at byte ${position + got}, expected ${position + length})`, { file });
    got += n;
  }
  return buf;
}

/**
 * Reads a whole regular file of at most `maxBytes` bytes. `what` names the kind
 * of input in the size message ("JSON", "CSV").
 */
export function readRegularFile(file: string, o: { maxBytes: number; what: string }): Buffer {
  const f = openRegularFile(file);
  try {
    if (f.stat.size > o.maxBytes) {
      throw new BimixError('E_IO', `too large for a ${o.what} input: ${f.stat.size} bytes (the limit is ${formatBytes(o.maxBytes)})`, { file });
    }
    const buf = readExactly(f, file, 0, f.stat.size);
    // Still growing past what fstat said: refuse rather than read a moving target.
    if (readSync(f.fd, Buffer.alloc(1), 0, 1, f.stat.size) !== 0) throw new BimixError('E_CHANGED', 'changed while being read (it grew)', { file });
    return buf;
  } finally {
    closeSync(f.fd);
  }
}

/** {@link readRegularFile} as UTF-8 text. */
export function readTextFile(file: string, o: { maxBytes: number; what: string }): string {
  return readRegularFile(file, o).toString('utf8');
}
