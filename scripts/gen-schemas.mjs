#!/usr/bin/env node
/**
 * Writes schemas/<kind>.schema.json (JSON Schema draft 2020-12) for every JSON document bimix
 * reads or writes, from the zod schemas in src/schemas/. `--check` exits 1 when a file differs
 * from what it would write (used by the tests). Needs dist/ (npx tsc -p .).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'schemas');
const { allJsonSchemas } = await import(pathToFileURL(path.join(root, 'dist', 'schemas', 'index.js')).href);

const wanted = new Map(allJsonSchemas().map(([kind, schema]) => [`${kind}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`]));

if (process.argv.includes('--check')) {
  const stale = [];
  for (const [name, text] of wanted) {
    let have = null;
    try {
      have = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      // missing: stale
    }
    if (have !== text) stale.push(name);
  }
  let present = [];
  try {
    present = readdirSync(dir).filter((n) => n.endsWith('.schema.json'));
  } catch {
    // no folder yet
  }
  for (const n of present) if (!wanted.has(n)) stale.push(`${n} (no such kind)`);
  if (stale.length > 0) {
    process.stderr.write(`schemas/ is stale: ${stale.join(', ')}; run: npx tsc -p . && node scripts/gen-schemas.mjs\n`);
    process.exit(1);
  }
} else {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of wanted) writeFileSync(path.join(dir, name), text);
  process.stdout.write(`wrote ${[...wanted.keys()].map((n) => `schemas/${n}`).join(', ')}\n`);
}
