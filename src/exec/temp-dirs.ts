/**
 * Temporary and spill folders owned by one process. Each is named
 * `PREFIX<pid>-XXXXXX` and holds an owner record, so a later run can remove the
 * folders of processes that died without cleaning up (SIGKILL, power loss).
 * Every path this process must not leave behind is registered here, so an exit
 * path that cannot wait (a second signal) removes them synchronously.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BimixError } from '../errors.js';
import { loadAddon } from '../engine/native.js';
import { createOwnerFile, ownerDead, readOwner } from './owner-lock.js';

/** Name prefix of the run folders in the temporary folder. */
const RUN_DIR_PREFIX = 'bimix-';
const OWNER_FILE = '.owner';

const owned = new Set<string>();

// The addon's signal watchdog removes the same paths when the main thread is stuck.
function mirror(p: string, add: boolean): void {
  try {
    if (add) loadAddon().addCleanupPath(p);
    else loadAddon().removeCleanupPath(p);
  } catch {
    /* no addon: the JavaScript exit paths still remove them */
  }
}

/** Registers a path (file or folder) to remove if the process must exit at once. */
export function removeOnExit(p: string): void {
  owned.add(p);
  mirror(p, true);
}

/** Unregisters a path (it was removed or handed over). */
export function keepOnExit(p: string): void {
  owned.delete(p);
  mirror(p, false);
}

/** Removes every registered path now; for exit paths that cannot wait. Never throws. */
export function removeOwnedPathsSync(): void {
  for (const p of owned) {
    try {
      rmSync(p, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
    } catch {
      /* best effort on the way out */
    }
  }
  owned.clear();
}

/**
 * Creates a folder `root/PREFIX<pid>-XXXXXX` owned by this process and registers it
 * for removal. An unusable `root` is E_IO naming it.
 */
export function createOwnedDir(root: string, prefix = RUN_DIR_PREFIX, what = 'temporary folder'): string {
  let dir: string;
  try {
    dir = mkdtempSync(path.join(root, `${prefix}${process.pid}-`));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new BimixError('E_IO', `cannot create a ${what} in ${root} (${why}); set TMPDIR to a writable folder`, { file: root });
  }
  removeOnExit(dir);
  try {
    createOwnerFile(path.join(dir, OWNER_FILE));
  } catch (e) {
    removeOwnedDir(dir);
    throw new BimixError('E_IO', `cannot write in the ${what} ${dir}: ${(e as Error).message}`, { file: dir });
  }
  return dir;
}

/** Removes a folder made by {@link createOwnedDir}. */
export function removeOwnedDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
  keepOnExit(dir);
}

/**
 * Removes the folders `root/PREFIX<pid>-*` whose owner died (same host, pid gone);
 * returns what was removed. Folders of live processes, other hosts, or without a
 * pid in their name are left alone.
 */
export function sweepDeadOwners(root: string, prefix = RUN_DIR_PREFIX): { dir: string; pid: number }[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: { dir: string; pid: number }[] = [];
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-[^/]+$`);
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const dir = path.join(root, name);
    if (pid === process.pid) continue;
    // The pid in the name counts even before the owner record is written.
    // Without a record (killed before writing it) the pid in the name is judged on this host.
    const owner = readOwner(path.join(dir, OWNER_FILE)) ?? { pid, host: os.hostname(), started: 0 };
    if (owner.pid !== pid || !ownerDead(owner)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push({ dir, pid });
    } catch {
      /* not ours to fight over (permissions); leave it */
    }
  }
  return removed;
}

/** The one note a run prints after removing leftovers of dead runs. */
export function leftoverNote(removed: { dir: string; pid: number }[]): string | undefined {
  if (removed.length === 0) return undefined;
  const pids = [...new Set(removed.map((r) => r.pid))].join(', ');
  const shown = removed.slice(0, 3).map((r) => r.dir).join(', ');
  return `bimix: note: removed ${removed.length} temporary folder${removed.length > 1 ? 's' : ''} left by runs that no longer exist (pid ${pids}): ${shown}${removed.length > 3 ? ', ...' : ''}`;
}
