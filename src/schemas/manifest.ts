/**
 * The manifest of one finished Slurm map task (schema tag "bimix.partials/1"), written last,
 * atomically, beside the task's partial-state files; `bimix merge` reads it.
 */
import { z } from 'zod';
import { bool, num, obj, schemaRef, str, tool } from './fields.js';
import { fileEntrySchema } from './analysis.js';
import { readOptionsShape } from './config.js';

/** Schema tag of partial manifests (also stored inside each partial file's meta string). */
export const MANIFEST_SCHEMA = 'bimix.partials/1';

/** A global chunk range [first, end). */
export const chunkRangeSchema = z.tuple([num(0), num(0)], { error: '[first, end]' });

/** A domain as configured: name, globs and validated reading options. */
export const domainSpecSchema = obj({
  name: str(),
  globs: z.array(z.string()),
  read: obj({ ...readOptionsShape, format: readOptionsShape.format.unwrap() }),
});

/** What must be equal for partials to merge into one report. */
export const partialConfigSchema = obj({
  chunkBytes: num(0),
  unigramsOnly: bool(),
  taskCount: num(1),
  domains: z.array(obj({ name: str(), spec: domainSpecSchema, files: z.array(fileEntrySchema) }), { error: 'an array' }),
});

/** One partial-state file of a task. */
export const partialEntrySchema = obj({
  domain: str(),
  domainIndex: num(0),
  /** File name inside the partial folder. */
  file: str(),
  bytes: num(0),
  /** Global chunk range [first, end) this partial counts. */
  chunks: chunkRangeSchema,
  tokens: num(0),
  documents: num(0),
  bigramTotal: num(0),
});

/** The manifest of one finished task. */
export const manifestSchema = obj({
  $schema: schemaRef('manifest'),
  schema: z.literal(MANIFEST_SCHEMA, { error: JSON.stringify(MANIFEST_SCHEMA) }),
  tool,
  partialFormatVersion: num(0),
  fingerprint: str(),
  task: obj({ index: z.number().int({ error: 'a whole number' }).min(0, { error: 'a whole number' }), count: z.number().int({ error: 'a whole number' }).min(1, { error: 'a whole number >= 1' }) }),
  config: partialConfigSchema,
  /** Global chunk ranges this task covers, and the size of the global list. */
  chunks: obj({ total: num(0), ranges: z.array(chunkRangeSchema, { error: 'an array' }) }),
  partials: z.array(partialEntrySchema, { error: 'an array' }),
  finishedAt: z.string({ error: 'a string' }),
}).meta({ title: 'bimix partial manifest', description: 'Written by each bimix count (Slurm map) task; read by bimix merge.' });
