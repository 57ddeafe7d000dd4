import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from '../src/error-codes.js';
import { wrapNativeError } from '../src/engine/native.js';
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

  it('an addon error with a code off the list becomes E_NATIVE, keeping its text', () => {
    const e = wrapNativeError(Object.assign(new Error('boom'), { code: 'E_MADE_UP', file: 'x.bin' })) as { code: string; message: string };
    expect(e.code).toBe('E_NATIVE');
    expect(e.message).toBe('x.bin: E_MADE_UP: boom');
    const k = wrapNativeError(Object.assign(new Error('bad magic'), { code: 'E_FORMAT', file: 'x.bin', offset: 4 })) as { code: string; message: string };
    expect([k.code, k.message]).toEqual(['E_FORMAT', 'x.bin, byte 4: bad magic']);
  });
});
