/**
 * Every JSON document bimix reads or writes, declared once with zod: the TypeScript types are
 * inferred from these schemas, readers parse with them, and `scripts/gen-schemas.mjs` writes them
 * out as JSON Schema (draft 2020-12) files into `schemas/` for editors and other tools.
 */
import { z } from 'zod';
import { analysisSchema } from './analysis.js';
import { baselineSchema } from './baseline.js';
import { checkSchema } from './check.js';
import { configSchema } from './config.js';
import { schemaId, SCHEMA_KINDS, type SchemaKind } from './ids.js';
import { lawSchema } from './law.js';
import { manifestSchema } from './manifest.js';
import { mixtureSchema } from './mixture.js';
import { policySchema } from './policy.js';

export { SCHEMA_KINDS, schemaId, withSchemaRef, type SchemaKind } from './ids.js';

/** The schema of each kind of document. */
export const SCHEMAS: Record<SchemaKind, z.ZodType> = {
  analysis: analysisSchema,
  baseline: baselineSchema,
  check: checkSchema,
  law: lawSchema,
  manifest: manifestSchema,
  mixture: mixtureSchema,
  policy: policySchema,
  config: configSchema,
};

/**
 * The JSON Schema (draft 2020-12) of a kind: the documents bimix writes, so objects allow no
 * keys beyond those listed (bimix's own readers accept unknown keys in machine-written files).
 */
export function jsonSchemaOf(kind: SchemaKind): Record<string, unknown> {
  const out = z.toJSONSchema(SCHEMAS[kind], { target: 'draft-2020-12', io: 'output', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...rest } = out;
  return { $schema, $id: schemaId(kind), ...rest };
}

/** Every kind's JSON Schema, by kind, in {@link SCHEMA_KINDS} order. */
export function allJsonSchemas(): [SchemaKind, Record<string, unknown>][] {
  return SCHEMA_KINDS.map((k) => [k, jsonSchemaOf(k)]);
}
