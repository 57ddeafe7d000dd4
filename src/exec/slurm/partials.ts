/**
 * The on-disk output of one map task: per domain one partial-state file, plus a
 * manifest written atomically LAST. A task is finished exactly when its manifest
 * exists; the manifest pins the configuration (by fingerprint) so partials from
 * another corpus, other options or another partial format are never merged.
 *
 * Layout of a partial folder:
 *   task-00003.manifest.json      the manifest of task 3
 *   task-00003.d000.bimixps       task 3's partial of domain 0
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { DomainSpec, FileEntry } from '../../corpus/types.js';
import { BimixError } from '../../errors.js';
import { READ_LIMITS, readTextFile } from '../../util/read-file.js';
import { MANIFEST_SCHEMA, manifestSchema, type partialEntrySchema } from '../../schemas/manifest.js';
import { checkSchemaRef, parseWith } from '../../schemas/parse.js';

export { MANIFEST_SCHEMA };

/** What must be equal for partials to merge into one report (the read options as validated, typed as the corpus code uses them). */
export interface PartialConfig {
  chunkBytes: number;
  unigramsOnly: boolean;
  taskCount: number;
  domains: { name: string; spec: DomainSpec; files: FileEntry[] }[];
}

/** One partial-state file of a task. */
export type PartialEntry = z.infer<typeof partialEntrySchema>;

/** The manifest of one finished task (see schemas/manifest.ts). */
export type TaskManifest = Omit<z.infer<typeof manifestSchema>, 'config'> & { config: PartialConfig };

/** The `meta` string stored inside each partial file, checked on merge. */
export function partialMeta(fingerprint: string, taskIndex: number, domainIndex: number): string {
  return JSON.stringify({ bimix: MANIFEST_SCHEMA, fingerprint, task: taskIndex, domain: domainIndex });
}

/** A stable fingerprint of a configuration and the partial format it is counted in. */
export function configFingerprint(config: PartialConfig, partialFormatVersion: number): string {
  return createHash('sha256').update(JSON.stringify({ partialFormatVersion, config })).digest('hex').slice(0, 32);
}

const pad = (n: number) => String(n).padStart(5, '0');

/** File name of a task's manifest. */
export function manifestName(taskIndex: number): string {
  return `task-${pad(taskIndex)}.manifest.json`;
}

/** File name of a task's partial of one domain. */
export function partialName(taskIndex: number, domainIndex: number): string {
  return `task-${pad(taskIndex)}.d${String(domainIndex).padStart(3, '0')}.bimixps`;
}

const MANIFEST_RE = /^task-(\d+)\.manifest\.json$/;

/** Manifest files present in a partial folder, sorted by name. */
export function listManifests(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new BimixError('E_STATE', `cannot read the partial folder: ${(e as Error).message}`, { file: dir });
  }
  return names.filter((n) => MANIFEST_RE.test(n)).sort();
}

/** Reads and checks a manifest against schemas/manifest.ts; every problem is an E_STATE naming the file (and the JSON path). */
export function readManifest(file: string): TaskManifest {
  let doc: unknown;
  const text = readTextFile(file, { maxBytes: READ_LIMITS.json, what: 'JSON' });
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BimixError('E_STATE', `not a readable manifest: ${(e as Error).message}`, { file });
  }
  const m = doc as { schema?: unknown } | null;
  if (!m || typeof m !== 'object' || Array.isArray(m) || m.schema !== MANIFEST_SCHEMA) {
    throw new BimixError('E_STATE', `not a bimix partial manifest (expected schema ${MANIFEST_SCHEMA})`, { file });
  }
  const ctx = { file, code: 'E_STATE' as const };
  checkSchemaRef(doc, 'manifest', ctx);
  parseWith(manifestSchema, doc, ctx);
  return doc as TaskManifest;
}

/** Says in a few words how configuration `b` differs from `a` (for error messages). */
export function describeConfigDifference(a: PartialConfig, b: PartialConfig): string {
  if (a.taskCount !== b.taskCount) return `task count ${b.taskCount} instead of ${a.taskCount}`;
  if (a.chunkBytes !== b.chunkBytes) return `chunk size ${b.chunkBytes} instead of ${a.chunkBytes}`;
  if (a.unigramsOnly !== b.unigramsOnly) return `unigrams-only ${b.unigramsOnly} instead of ${a.unigramsOnly}`;
  const an = a.domains.map((d) => d.name).join(',');
  const bn = b.domains.map((d) => d.name).join(',');
  if (an !== bn) return `domains [${bn}] instead of [${an}]`;
  for (let i = 0; i < a.domains.length; i++) {
    const da = a.domains[i]!;
    const db = b.domains[i]!;
    if (JSON.stringify(da.spec) !== JSON.stringify(db.spec)) return `domain ${da.name}: globs or read options ${JSON.stringify(db.spec)} instead of ${JSON.stringify(da.spec)}`;
    const fa = new Map(da.files.map((f) => [f.path, f]));
    for (const f of db.files) {
      const g = fa.get(f.path);
      if (!g) return `domain ${da.name}: file ${f.path} is not in the other configuration`;
      if (JSON.stringify(g) !== JSON.stringify(f)) return `domain ${da.name}: file ${f.path} differs (${f.bytes} bytes, mtime ${f.mtimeMs} instead of ${g.bytes} bytes, mtime ${g.mtimeMs})`;
    }
    if (da.files.length !== db.files.length) return `domain ${da.name}: ${db.files.length} files instead of ${da.files.length}`;
  }
  return 'same files and options, other partial format or tool';
}

/** Resolves a partial's file name inside its folder, refusing names that leave it. */
export function partialPath(dir: string, name: string): string {
  if (name !== path.basename(name) || name.startsWith('.')) throw new BimixError('E_STATE', `manifest names a partial outside its folder: ${name}`, { file: dir });
  return path.join(dir, name);
}
