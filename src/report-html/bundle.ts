/**
 * The chart library inlined into every report page: Vega, Vega-Lite and vega-embed, read from
 * their packages' minified browser builds in node_modules (never downloaded), so the page needs
 * no network when it is viewed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BimixError } from '../errors.js';
import { checkInlineScript } from './escape.js';

/** One inlined library: its package, version and code. */
export interface InlineScript {
  name: string;
  version: string;
  code: string;
}

/** Load order matters: vega-lite needs the global `vega`, vega-embed both. */
const BUNDLE = [
  { name: 'vega', file: 'build/vega.min.js' },
  { name: 'vega-lite', file: 'build/vega-lite.min.js' },
  { name: 'vega-embed', file: 'build/vega-embed.min.js' },
] as const;

let cached: InlineScript[] | undefined;

/** Finds a package folder the way Node does: node_modules of this module's folder and of each parent. */
function packageDir(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new BimixError('E_IO', `package "${name}" not found in node_modules; the HTML report inlines it (run npm install)`);
}

/** The library scripts of the page, read once per process. */
export function chartLibrary(): InlineScript[] {
  if (cached) return cached;
  cached = BUNDLE.map(({ name, file }) => {
    const dir = packageDir(name);
    const target = path.join(dir, file);
    let code: string;
    let version: string;
    try {
      version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
      code = readFileSync(target, 'utf8');
    } catch (e) {
      throw new BimixError('E_IO', `cannot read the chart library: ${(e as Error).message}`, { file: target });
    }
    return { name, version, code: checkInlineScript(code, target) };
  });
  return cached;
}
