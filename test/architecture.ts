/**
 * The dependency direction between the rooms of src/: a layer table and a checker over the
 * relative imports of every TypeScript file (an import regex; the sources keep one import per
 * statement, `import ... from '...'`, `export ... from '...'` or `import('...')`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Rooms from the bottom up. A file may import from its own layer or any layer below it, never
 * from above. The same table is in ARCHITECTURE.md (section "Dependency direction").
 */
export const LAYERS: { name: string; rooms: string[] }[] = [
  { name: 'base', rooms: ['errors.ts', 'error-codes.ts', 'version.ts', 'util/'] },
  { name: 'schemas', rooms: ['schemas/'] },
  { name: 'engine', rooms: ['engine/'] },
  { name: 'corpus', rooms: ['corpus/'] },
  { name: 'stats', rooms: ['stats/', 'report.ts', 'report-warnings.ts'] },
  { name: 'exec', rooms: ['exec/'] },
  { name: 'pipelines', rooms: ['analyze/', 'laws/', 'growth/'] },
  { name: 'check', rooms: ['check/'] },
  { name: 'presentation', rooms: ['report-html/', 'export/'] },
  { name: 'cli', rooms: ['cli/'] },
  { name: 'api', rooms: ['index.ts'] },
];

/** The layer index of a file given relative to src/ (with forward slashes), or -1 when no room holds it. */
export function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.rooms.some((r) => (r.endsWith('/') ? file.startsWith(r) : file === r)));
}

/** One import edge: `from` imports `to`, both relative to src/. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** Every import that points up the table, or touches a file no room holds, as one line each. */
export function violations(edges: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (a < 0) out.push(`${e.from}: in no room of the layer table`);
    else if (b < 0) out.push(`${e.from} imports ${e.to}, which is in no room of the layer table`);
    else if (b > a) out.push(`${e.from} (${LAYERS[a]!.name}) imports ${e.to} (${LAYERS[b]!.name}), a higher layer`);
  }
  return [...new Set(out)];
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

/** The relative imports of the .ts files under `srcDir`, as edges relative to it. */
export function importEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (dir: string): void => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(full);
      else if (ent.name.endsWith('.ts')) {
        const from = path.relative(srcDir, full).split(path.sep).join('/');
        for (const m of readFileSync(full, 'utf8').matchAll(IMPORT)) {
          const target = path.relative(srcDir, path.resolve(path.dirname(full), m[1]!)).split(path.sep).join('/');
          edges.push({ from, to: target.replace(/\.js$/, '.ts') });
        }
      }
    }
  };
  walk(srcDir);
  return edges;
}
