/**
 * Ownership records of temporary folders and task locks: which process (pid,
 * host, start time) holds them, and whether that process still lives. A record
 * whose owner is dead may be taken over; one on another host is never judged.
 */
import { closeSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { BimixError } from '../errors.js';

/** Who holds a folder or lock. */
export interface OwnerRecord {
  pid: number;
  host: string;
  /** When the owning process started (ms since the epoch), to tell a reused pid apart. */
  started: number;
}

const STARTED = Math.round(Date.now() - process.uptime() * 1000);

/** The record of this process. */
function selfRecord(): OwnerRecord {
  return { pid: process.pid, host: os.hostname(), started: STARTED };
}

/** Reads an owner record; undefined when missing or unreadable (a crash mid-write). */
export function readOwner(file: string): OwnerRecord | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<OwnerRecord>;
    if (!Number.isInteger(o.pid) || (o.pid as number) <= 0 || typeof o.host !== 'string') return undefined;
    return { pid: o.pid as number, host: o.host, started: typeof o.started === 'number' ? o.started : 0 };
  } catch {
    return undefined;
  }
}

/**
 * True unless the process `pid` is known to be gone. Only ESRCH proves a process
 * dead; EPERM (another user's live process) counts as alive.
 */
function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** True when the record's owner is known to be dead (same host, pid gone). */
export function ownerDead(o: OwnerRecord): boolean {
  return o.host === os.hostname() && !pidAlive(o.pid);
}

/** Writes this process's record to `file`, failing with EEXIST when it exists; the file appears complete or not at all. */
export function createOwnerFile(file: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(selfRecord())}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A lock held through an owner file; release() removes it. */
export interface HeldLock {
  file: string;
  /** The dead holder this lock was taken over from, if any. */
  tookOverFrom?: OwnerRecord;
  release(): void;
}

/**
 * Takes the lock file `file`. A live holder makes it E_BUSY (naming the pid);
 * a dead holder's lock (same host, pid gone) is taken over.
 */
export function acquireLock(file: string, what: string): HeldLock {
  let tookOverFrom: OwnerRecord | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createOwnerFile(file);
      const lock: HeldLock = {
        file,
        release: () => {
          const now = readOwner(file);
          if (now && now.pid === process.pid && now.started === STARTED) rmSync(file, { force: true });
        },
      };
      if (tookOverFrom) lock.tookOverFrom = tookOverFrom;
      return lock;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new BimixError('E_IO', `cannot create the lock of ${what}: ${(e as Error).message}`, { file });
    }
    const holder = readOwner(file);
    if (holder && !ownerDead(holder)) {
      const where = holder.host === os.hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
      throw new BimixError('E_BUSY', `${what} is being run by ${where} (lock ${file}); wait for it to finish or stop it`, { file });
    }
    if (!holder) {
      throw new BimixError('E_BUSY', `${what} is locked by an unreadable lock file ${file}; remove it if no bimix process runs this task`, { file });
    }
    tookOverFrom = holder;
    rmSync(file, { force: true });
  }
  throw new BimixError('E_BUSY', `${what}: could not take the lock ${file} (another process keeps taking it)`, { file });
}
