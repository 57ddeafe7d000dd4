/**
 * The kinds of JSON document bimix reads or writes, their schema ids, and the `$schema`
 * reference written as the first key of every JSON output. The ids are names, not addresses
 * bimix fetches: the schema files ship in the package as `schemas/<kind>.schema.json`.
 */

/** Every kind of JSON document with a schema, in documentation order. */
export const SCHEMA_KINDS = ['analysis', 'baseline', 'check', 'law', 'manifest', 'mixture', 'policy', 'config'] as const;
/** A kind of JSON document. */
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

/** The `$id` of a kind's JSON Schema, and the `$schema` value of documents of that kind. */
export function schemaId(kind: SchemaKind): string {
  return `https://bimix.dev/schemas/${kind}-v1.json`;
}

/** The kind a `$schema` value names, if it is one of bimix's. */
export function kindOfSchemaId(id: unknown): SchemaKind | undefined {
  return SCHEMA_KINDS.find((k) => schemaId(k) === id);
}

/** `doc` with `$schema` naming its kind as the first key (any `$schema` it had is replaced); the other keys keep their order. */
export function withSchemaRef<T extends object>(kind: SchemaKind, doc: T): { $schema: string } & T {
  const { $schema: _old, ...rest } = doc as T & { $schema?: unknown };
  return { $schema: schemaId(kind), ...(rest as T) };
}
