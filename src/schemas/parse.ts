/**
 * Turning a schema's verdict into a BimixError: the file, the JSON path of the first bad
 * value, what was expected and what was found (`$.domains[0].tokens: expected a number >= 0, got -5`).
 */
import type { z } from 'zod';
import { BimixError, type ErrorCode } from '../errors.js';
import { kindOfSchemaId, schemaId, type SchemaKind } from './ids.js';

type Key = PropertyKey;

/** The JSON path of a value: `$`, `$.a.b`, `$.a[0]`, odd keys quoted (`$.domains["my web"]`). */
export function jsonPath(keys: readonly Key[]): string {
  let out = '$';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else {
      const s = String(k);
      out += /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** A value in words: `nothing`, `null`, `an array`, `an object`, or its JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v);
}

function valueAt(doc: unknown, keys: readonly Key[]): unknown {
  let v = doc;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = { string: 'a string', number: 'a finite number', int: 'a whole number', boolean: 'true or false', array: 'an array', object: 'an object', tuple: 'an array', record: 'an object' };

/**
 * What an issue expected, in words. The schemas give their own words (lowercase, such as
 * "a number >= 0"); zod's defaults (capitalised, "Invalid input: ...") are replaced by plain ones.
 */
function expectedWords(issue: z.core.$ZodIssue): string {
  if (!/^[A-Z]/.test(issue.message)) return issue.message;
  if (issue.code === 'invalid_type') return TYPE_WORDS[issue.expected] ?? `a value of type ${issue.expected}`;
  if (issue.code === 'too_small') return issue.origin === 'array' ? `at least ${issue.minimum} item(s)` : issue.origin === 'string' ? 'a non-empty string' : `a value >= ${issue.minimum}`;
  if (issue.code === 'too_big') return issue.origin === 'array' ? `at most ${issue.maximum} item(s)` : `a value <= ${issue.maximum}`;
  if (issue.code === 'invalid_value') return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** One issue as a sentence: the path, what was expected, what was given. */
export function describeIssue(doc: unknown, issue: z.core.$ZodIssue, at: readonly Key[] = []): string {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const where = jsonPath([...at, ...issue.path, key]);
    // Objects say "unknown key (...)"; maps with a fixed key set say what a key must be.
    if (/^[A-Z]/.test(issue.message)) return `${where}: unknown key`;
    return issue.message.startsWith('unknown key') ? `${where}: ${issue.message}` : `${where}: expected ${issue.message}, got ${JSON.stringify(key)}`;
  }
  if (issue.code === 'invalid_key') {
    const key = issue.path[issue.path.length - 1];
    return `${jsonPath([...at, ...issue.path])}: expected ${issue.issues[0] ? expectedWords(issue.issues[0]) : 'a valid key'}, got ${JSON.stringify(String(key))}`;
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the alternative of the right type that got furthest into the value; when the
    // value has the type of none of them, the union's own words say what it may be.
    const matched = issue.errors.map((e) => e[0]!).filter((e) => e && (e.path.length > 0 || e.code !== 'invalid_type'));
    const deepest = matched.sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest) return describeIssue(doc, { ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue, at);
  }
  return `${jsonPath([...at, ...issue.path])}: expected ${expectedWords(issue)}, got ${showValue(valueAt(doc, issue.path))}`;
}

/** Where a document came from and which error code its problems carry. */
export interface ParseContext {
  file?: string;
  code?: ErrorCode;
  /** Where `doc` sits in its file, when it is part of one (`["proportions"]`). */
  at?: readonly Key[];
}

/** Parses `doc` with `schema`; the first problem becomes a BimixError (E_SCHEMA unless told) naming the file and the JSON path. */
export function parseWith<S extends z.ZodType>(schema: S, doc: unknown, ctx: ParseContext = {}): z.output<S> {
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  throw new BimixError(ctx.code ?? 'E_SCHEMA', describeIssue(doc, r.error.issues[0]!, ctx.at), ctx.file !== undefined ? { file: ctx.file } : {});
}

/** What a document of another kind is, for the hint when it is given in the wrong place. */
const KIND_WORDS: Record<SchemaKind, string> = {
  analysis: 'an analysis report',
  baseline: 'a baseline',
  check: 'a check result',
  law: 'a law file',
  manifest: 'a partial manifest',
  mixture: 'a mixture',
  policy: 'a check policy',
  config: 'a corpus config',
};

/**
 * Checks the optional `$schema` of a document expected to be of `kind`: absent (files of earlier
 * versions have none) or that kind's id. Another kind's id, or a foreign one, is refused by name.
 */
export function checkSchemaRef(doc: unknown, kind: SchemaKind, ctx: ParseContext = {}): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return;
  const ref = (doc as Record<string, unknown>).$schema;
  if (ref === undefined || ref === schemaId(kind)) return;
  const other = kindOfSchemaId(ref);
  const what = other !== undefined ? ` (this is ${KIND_WORDS[other]}, not ${KIND_WORDS[kind]})` : '';
  throw new BimixError(ctx.code ?? 'E_SCHEMA', `$.$schema: expected ${JSON.stringify(schemaId(kind))} or no $schema, got ${showValue(ref)}${what}`, ctx.file !== undefined ? { file: ctx.file } : {});
}

/**
 * Checks the schema tag of a document expected to be of `tag`: a plain object whose "schema" is `tag`.
 * `hint` explains a tag that is another bimix document (e.g. a baseline where a report is expected).
 */
export function expectTag(doc: unknown, tag: string, file: string | undefined, hint: (found: string) => string = () => ''): Record<string, unknown> {
  const loc = file !== undefined ? { file } : {};
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new BimixError('E_SCHEMA', `expected a JSON object with "schema" ${tag}`, loc);
  const o = doc as Record<string, unknown>;
  if (o.schema !== tag) throw new BimixError('E_SCHEMA', `expected schema ${tag}, found ${JSON.stringify(o.schema ?? null)}${typeof o.schema === 'string' ? hint(o.schema) : ''}`, loc);
  return o;
}
