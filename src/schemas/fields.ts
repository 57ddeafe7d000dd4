/**
 * Building blocks of the document schemas. Each carries the words of its error message
 * ("a number >= 0"), so a bad value reads as `$.path: expected a number >= 0, got -1`.
 */
import { z } from 'zod';
import { schemaId, type SchemaKind } from './ids.js';

/** A finite number, optionally >= min. */
export function num(min?: number) {
  const error = min === undefined ? 'a finite number' : `a number >= ${min}`;
  const n = z.number({ error });
  return min === undefined ? n : n.min(min, { error });
}

/** A whole number from min to max. */
export function int(min: number, max: number) {
  const error = `a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A non-empty string. */
export function str() {
  return z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });
}

/** true or false. */
export function bool() {
  return z.boolean({ error: 'true or false' });
}

/** One of a few strings, named in the message as `"a", "b"`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, words?: string) {
  return z.enum(values, { error: words ?? `one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

/** An object whose unknown keys are accepted when reading (files of newer versions) but not allowed by the generated JSON Schema. */
export function obj<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape, { error: 'an object' });
}

/** An object that refuses keys it does not name (catches typos such as "rtoll"). */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape).filter((k) => k !== '$schema');
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown key (expected one of ${keys.join(', ')})` : 'an object') });
}

/** A map from names to values. */
export function map<V extends z.ZodType>(value: V) {
  return z.record(z.string(), value, { error: 'an object' });
}

/** The optional `$schema` key of a document of `kind`. */
export function schemaRef(kind: SchemaKind) {
  return z.literal(schemaId(kind), { error: JSON.stringify(schemaId(kind)) }).optional();
}

/** A tool record: name and version of the program that wrote a file. */
export const tool = obj({ name: str(), version: str() });
