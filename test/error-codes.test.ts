import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from '../src/error-codes.js';
import { tmpdir } from 'node:os';
import { BimixError } from '../src/errors.js';
import { loadAddon } from '../src/engine/native.js';
// A plain .mjs script: the same functions the generator runs.
import { HEADER_FILE, readTable, renderHeader, TABLE_FILE } from '../scripts/gen-error-codes.mjs';

function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

describe('one list of error codes for C++ and TypeScript', () => {
  const entries = readTable(readFileSync(TABLE_FILE, 'utf8')) as [string, string][];

  it('the generator reads the same table TypeScript compiles', () => {
    expect(Object.fromEntries(entries)).toEqual(ERROR_CODES);
  });

  it('native/common/error_codes.h is the generated header (run node scripts/gen-error-codes.mjs after editing src/error-codes.ts)', () => {
    expect(readFileSync(HEADER_FILE, 'utf8')).toBe(renderHeader(entries));
  });

  it('every code named in native and TypeScript sources is on the list', () => {
    const unknown: string[] = [];
    const files = [...filesUnder('native', ['.cc', '.h']), ...filesUnder('src', ['.ts'])];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:["']|ec::)(E_[A-Z][A-Z_]*)\b/g)) if (!isErrorCode(m[1])) unknown.push(`${f}: ${m[1]}`);
    }
    expect(unknown).toEqual([]);
  });

  it('native kernels use the generated constants, not string literals', () => {
    const literal: string[] = [];
    for (const f of filesUnder('native', ['.cc', '.h'])) {
      if (f.includes(`${path.sep}test${path.sep}`) || f.includes(`${path.sep}fuzz${path.sep}`) || f.endsWith('error_codes.h')) continue;
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/"(E_[A-Z][A-Z_]*)"/g)) literal.push(`${f}: "${m[1]}"`);
    }
    expect(literal).toEqual([]);
  });

  it('the addon throws BimixError itself, with the code, file and offset and a JavaScript stack', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bimix-codes-')), 'x.bin');
    writeFileSync(file, Buffer.alloc(8));
    let e: unknown;
    try {
      new (loadAddon().Source)({ path: file, format: 'megatron', eos: -2 });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(BimixError);
    const b = e as BimixError;
    expect(isErrorCode(b.code)).toBe(true);
    expect(b.file).toBeTruthy();
    expect(b.message.startsWith(`${b.file}: `)).toBe(true);
    expect(b.stack).toContain('error-codes.test.ts');
  });
});
