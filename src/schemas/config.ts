/**
 * Corpus config files (`--config bimix.json`): domains and how to read their tokens. Written by
 * hand, so unknown keys are refused (a misspelt "dtpye" would otherwise be read as the default).
 */
import { z } from 'zod';
import { FORMATS } from './names.js';
import { int, oneOf, schemaRef, str, strict } from './fields.js';

/** Domain names: letters, digits, _ . - (they become file names and table rows). */
export const DOMAIN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A whole number written as a number or as a string of digits. */
function whole(min: number, max: number) {
  return z.union([int(min, max), z.string().regex(/^\d+$/)], { error: `a whole number from ${min} to ${max}` });
}

const name = z.string({ error: 'a name' }).regex(/^[^\u0000-\u001f/]+$/, { error: 'a name' });

/** How to read a domain's tokens (also the top-level defaults of a config). */
export const readOptionsShape = {
  format: oneOf(FORMATS, FORMATS.join('|')).optional(),
  /** Token width where the format does not say. */
  dtype: oneOf(['u8', 'u16', 'u32'], 'u8|u16|u32').optional(),
  /** Separator token id. */
  eos: whole(0, 2 ** 32 - 1).optional(),
  /** Vocabulary size: ids >= vocab are errors. */
  vocab: whole(1, 2 ** 24).optional(),
  /** Arrow and Parquet: the token column. */
  column: name.optional(),
  /** A Hugging Face DatasetDict folder: the split to read. */
  split: name.optional(),
};

const globs = z.array(str(), { error: 'a list of globs' }).min(1, { error: 'at least one glob' });

/** One domain: a glob, a list of globs, or an object with globs (also spelt "glob" or "files") and reading options. */
export const configDomainSchema = z.union(
  [
    str(),
    globs,
    strict({ globs: z.union([str(), globs]).optional(), glob: z.union([str(), globs]).optional(), files: z.union([str(), globs]).optional(), ...readOptionsShape }).refine(
      (d) => d.globs !== undefined || d.glob !== undefined || d.files !== undefined,
      { error: 'an object with "globs"' },
    ),
  ],
  { error: 'a glob, a list of globs or an object with "globs"' },
);

/** A config file. Relative globs resolve against the config's folder. */
export const configSchema = strict({
  $schema: schemaRef('config'),
  domains: z
    .record(z.string().regex(DOMAIN_NAME_RE, { error: 'a domain name of letters, digits, _ . -' }), configDomainSchema, { error: 'an object mapping domain names to globs' })
    .refine((d) => Object.keys(d).length > 0, { error: 'at least one domain' }),
  ...readOptionsShape,
}).meta({ title: 'bimix corpus config', description: 'Read by --config: domains (name -> globs) and how to read their tokens.' });
