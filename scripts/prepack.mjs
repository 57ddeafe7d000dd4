// `npm pack` / `npm publish` run this before `prepare` (which compiles dist/ afresh).
// It removes dist/ so no module of a deleted source is packed, brings the addon build
// up to date (CMakeLists.txt links it for redistribution: static C++ runtime, stripped)
// and copies it to prebuilds/<platform>-<arch>/node.napi[.<libc>].node, the layout
// src/engine/prebuild-path.ts loads (scripts/test-install.sh installs the packed
// tarball and checks that it does).
//
// BIMIX_SKIP_PREBUILD=1 keeps prebuilds/ as it is: a release job that gathered the
// prebuilds of every platform packs them all.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
if (process.env.BIMIX_SKIP_PREBUILD === '1') {
  console.log('prepack: BIMIX_SKIP_PREBUILD=1, packing prebuilds/ as it is');
  process.exit(0);
}

function libcTag() {
  if (process.platform !== 'linux') return '';
  return process.report.getReport().header.glibcVersionRuntime ? '.glibc' : '.musl';
}

const require = createRequire(import.meta.url);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--CDBIMIX_PORTABLE=ON', '--log-level', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
if (r.status !== 0) {
  console.error('prepack: the prebuild failed (needs cmake and a C++17 compiler)');
  process.exit(1);
}

const dir = path.join(root, 'prebuilds');
rmSync(dir, { recursive: true, force: true });
const file = path.join(dir, `${process.platform}-${process.arch}`, `node.napi${libcTag()}.node`);
mkdirSync(path.dirname(file), { recursive: true });
copyFileSync(path.join(root, 'build', 'Release', 'bimix.node'), file);
require(file).kernelInfo();
console.log(`prepack: ${path.relative(root, file)}`);
