import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addonCandidates } from '../src/engine/native.js';
import { prebuildPath } from '../src/engine/prebuild-path.js';

// Needs `npx tsc -p .` first (dist/cli/main.js); `npm test` runs it.
const MAIN = path.resolve('dist/cli/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-addon-'));
const NO_ADDON = path.join(tmp, 'no-such-addon.node');

/** Runs the CLI with an addon override that cannot load. */
function bimixWithoutAddon(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, BIMIX_NATIVE_PATH: NO_ADDON },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('where the addon is loaded from', () => {
  const saved = process.env.BIMIX_NATIVE_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.BIMIX_NATIVE_PATH;
    else process.env.BIMIX_NATIVE_PATH = saved;
  });

  it('tries a source build first, then the prebuild of this platform', () => {
    delete process.env.BIMIX_NATIVE_PATH;
    const list = addonCandidates().map((p) => path.relative(process.cwd(), p));
    const release = list.indexOf(path.join('build', 'Release', 'bimix.node'));
    const prebuild = list.indexOf(path.relative(process.cwd(), prebuildPath(process.cwd())));
    expect(release).toBe(0);
    expect(prebuild).toBe(1);
  });

  it('names prebuilds as prebuildify does, with the libc on Linux', () => {
    const expected =
      process.platform === 'linux'
        ? `node.napi.${(process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime ? 'glibc' : 'musl'}.node`
        : 'node.napi.node';
    expect(prebuildPath('/pkg')).toBe(path.join('/pkg', 'prebuilds', `${process.platform}-${process.arch}`, expected));
  });

  it('takes BIMIX_NATIVE_PATH as the only candidate, so a typo is not hidden by another build', () => {
    process.env.BIMIX_NATIVE_PATH = 'some/where.node';
    expect(addonCandidates()).toEqual([path.resolve('some/where.node')]);
  });
});

// The commands that need no addon must not load it: users whose install could not
// build it still run them.
describe('commands without the addon', () => {
  it('fit, grow and mix run', () => {
    const law = path.join(tmp, 'law.json');
    const fit = bimixWithoutAddon('fit', '--losses', 'examples/laws/losses.csv', '--mixtures', 'examples/laws/mixtures.csv', '--holdout', 'last', '--out', law, '--quiet');
    expect(fit.code, fit.err).toBe(0);
    const grow = bimixWithoutAddon('grow', '--params', '7e9', '--tokens', '2e11', '--layers', '32', '--json');
    expect(grow.code, grow.err).toBe(0);
    expect(JSON.parse(grow.out)).toHaveProperty('growthFactor', 4);
    // A real report, made with the addon; mixing it again needs no addon.
    const shard = path.join(tmp, 'mix-shard.bin');
    writeFileSync(shard, Buffer.from(new Uint16Array([1, 2, 3, 0, 4, 5, 1, 2, 0, 3]).buffer));
    // A file belongs to one domain only: the second domain reads a copy.
    const shard2 = path.join(tmp, 'mix-shard-2.bin');
    writeFileSync(shard2, Buffer.from(new Uint16Array([1, 2, 3, 0, 4, 5, 1, 2, 0, 3]).buffer));
    const report = path.join(tmp, 'report.json');
    const made = spawnSync(process.execPath, [MAIN, 'analyze', '--domain', `web=${shard}`, '--domain', `code=${shard2}`, '--format', 'raw', '--dtype', 'u16', '--eos', '0', '--threads', '1', '--quiet', '--out', report], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const mix = bimixWithoutAddon('mix', '--from', report, '--json');
    expect(mix.code, mix.err).toBe(0);
  });

  it('analyze fails with E_NATIVE naming the override, without a stack trace', () => {
    const shard = path.join(tmp, 'shard.bin');
    writeFileSync(shard, Buffer.from(new Uint16Array([1, 2, 3, 0, 4, 5]).buffer));
    const r = bimixWithoutAddon('analyze', '--domain', `web=${shard}`, '--format', 'raw', '--dtype', 'u16', '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^bimix: error E_NATIVE: the native addon could not be loaded\. BIMIX_NATIVE_PATH names the addon/);
    expect(r.err).toContain(`${NO_ADDON} (missing)`);
    expect(r.err).not.toMatch(/^\s+at /m);
  });
});
