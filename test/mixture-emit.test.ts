/** Mixtures exported for trainers (`--emit`), and the terminal bar column. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mixtureCell, mixtureLines, shareBar } from '../src/cli/mixture-bar.js';
import { emitCsv, emitJson, emitMegatron, emitYaml, parseEmitFormat, type DomainFiles } from '../src/export/mixture-emit.js';
import { mixtureFromJson } from '../src/laws/index.js';
import { domain, report } from './check-fixtures.js';

const MAIN = path.resolve('dist/cli/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-emit-'));

function bimix(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const mega = (name: string, files: [string, number][]): DomainFiles => ({ name, files: files.map(([p, tokens]) => ({ path: p, format: 'megatron', tokens })) });

describe('emitMegatron', () => {
  it('lists weight then .bin prefix, splitting a domain over its files by tokens', () => {
    const out = emitMegatron({ web: 0.6, code: 0.4, none: 0 }, [mega('web', [['/d/web-0.bin', 300], ['/d/web-1.bin', 100]]), mega('code', [['/d/code.bin', 5]])]);
    expect(out).toBe('0.45 /d/web-0\n0.15 /d/web-1\n0.4 /d/code\n');
    const pairs = out.trim().split(/\s+/);
    const weights = pairs.filter((_, i) => i % 2 === 0).map(Number);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
  it.each([
    ['another format', { web: 1 }, [{ name: 'web', files: [{ path: '/d/web.npy', format: 'npy', tokens: 1 }] }], /domain "web" has npy files \(\/d\/web\.npy\); Megatron-LM's --data-path takes only Megatron/],
    ['whitespace in a path', { web: 1 }, [mega('web', [['/my data/web.bin', 1]])], /path "\/my data\/web\.bin" holds whitespace/],
    ['a share without files', { web: 0.5, gone: 0.5 }, [mega('web', [['/d/web.bin', 1]])], /domain "gone" has a share but no files/],
  ])('refuses %s', (_what, mix, domains, message) => {
    expect(() => emitMegatron(mix, domains as DomainFiles[], 'r.json')).toThrow(message);
    try {
      emitMegatron(mix, domains as DomainFiles[], 'r.json');
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_USAGE', file: 'r.json' });
    }
  });
});

describe('json, yaml and csv', () => {
  const mix = { web: 0.1 + 0.2, 'a,b "c"': 0.2, yes: 0.5 - 1e-17 };
  it('json reads back as a mixture', () => {
    expect(mixtureFromJson(JSON.parse(emitJson(mix)))).toEqual(mix);
  });
  it('yaml quotes keys that are not plain strings', () => {
    expect(emitYaml(mix)).toBe('web: 0.3\n"a,b \\"c\\"": 0.2\n"yes": 0.5\n');
  });
  it('csv quotes cells per RFC 4180', () => {
    expect(emitCsv(mix)).toBe('domain,weight\nweb,0.3\n"a,b ""c""",0.2\nyes,0.5\n');
  });
  it('an unknown format is a usage error listing the formats', () => {
    expect(() => parseEmitFormat('toml')).toThrow('--emit: expected megatron|json|yaml|csv, got "toml"');
  });
});

describe('terminal bar column', () => {
  it('scales to 100% in eighths and keeps every cell the same width', () => {
    expect(shareBar(1, 4)).toBe('████');
    expect(shareBar(0.5, 4)).toBe('██  ');
    expect(shareBar(1 / 32, 4)).toBe('▏   ');
    expect(shareBar(0, 4)).toBe('    ');
    const cells = [0, 0.0363, 0.278, 1, null].map((v) => mixtureCell(v));
    expect(new Set(cells.map((c) => c.length)).size).toBe(1);
    expect(cells[2]).toBe(' 27.80% █████▌              ');
    expect(mixtureLines({ web: 0.25, code: 0.75 })).toBe(`web               25.00% █████\ncode              75.00% ███████████████\n`);
  });
});

describe.skipIf(!existsSync(MAIN))('--emit on the command line', () => {
  const file = path.join(tmp, 'report.json');
  const r = report([domain('web'), domain('code')]);
  r.domains[0]!.files = [{ path: '/data/web/part-0.bin', format: 'megatron', dtype: 'u16', bytes: 10, mtimeMs: 1, tokens: 3000 }, { path: '/data/web/part-1.bin', format: 'megatron', dtype: 'u16', bytes: 10, mtimeMs: 1, tokens: 1000 }];
  r.domains[1]!.files = [{ path: '/data/code/all.bin', format: 'megatron', dtype: 'u16', bytes: 10, mtimeMs: 1, tokens: 10 }];
  r.domains[1]!.entropy.conditional = r.domains[0]!.entropy.conditional;
  writeFileSync(file, JSON.stringify(r));

  it('mix --emit megatron prints the --data-path list', () => {
    const m = bimix('mix', '--from', file, '--emit', 'megatron');
    expect(m.code, m.err).toBe(0);
    expect(m.out).toBe('0.375 /data/web/part-0\n0.125 /data/web/part-1\n0.5 /data/code/all\n');
  });
  it('mix --emit csv and an unknown --emit', () => {
    expect(bimix('mix', '--from', file, '--emit', 'csv').out).toBe('domain,weight\nweb,0.5\ncode,0.5\n');
    const bad = bimix('mix', '--from', file, '--emit', 'toml');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('bimix: error E_USAGE: --emit: expected megatron|json|yaml|csv, got "toml"\n');
  });
  it('optimize --emit megatron takes the files from --emit-report and refuses without it', () => {
    const law = path.join(tmp, 'law.json');
    expect(bimix('fit', '--losses', 'examples/laws/losses.csv', '--mixtures', 'examples/laws/mixtures.csv', '--out', law, '--quiet').code).toBe(0);
    const lawDomains = ['web', 'forum', 'code', 'math'];
    const rep = report(lawDomains.map((n) => domain(n)));
    rep.domains.forEach((d) => (d.files = [{ path: `/data/${d.name}.bin`, format: 'megatron', dtype: 'u16', bytes: 1, mtimeMs: 1, tokens: 1 }]));
    const repFile = path.join(tmp, 'law-domains.json');
    writeFileSync(repFile, JSON.stringify(rep));
    const json = bimix('optimize', '--law', law, '--steps', '8000', '--emit', 'json');
    expect(json.code, json.err).toBe(0);
    const shares = JSON.parse(json.out) as Record<string, number>;
    const mega = bimix('optimize', '--law', law, '--steps', '8000', '--emit', 'megatron', '--emit-report', repFile);
    expect(mega.code, mega.err).toBe(0);
    expect(mega.out).toBe(lawDomains.map((d) => `${Number(shares[d]!.toPrecision(12))} /data/${d}\n`).join(''));
    const none = bimix('optimize', '--law', law, '--steps', '8000', '--emit', 'megatron');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^bimix: error E_USAGE: --emit megatron needs the files of each domain/);
  });
});
