// Builds the addon from binding.gyp with the node-gyp bundled with npm, into
// build-gyp/ so it does not clobber cmake-js's build/. Offline: headers come from
// the Node installation (nodedir), never from a download.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, renameSync, mkdirSync, cpSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const nodedir = process.env.npm_config_nodedir || path.resolve(path.dirname(process.execPath), '..');
if (!existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) {
  console.error(`build-gyp: no Node headers under ${nodedir}/include/node; set npm_config_nodedir`);
  process.exit(2);
}
const npmDir = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
const gyp = path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (!existsSync(gyp)) {
  console.error(`build-gyp: npm's bundled node-gyp not found at ${gyp}`);
  process.exit(2);
}
// node-gyp always builds into ./build; stage the work in a scratch copy.
const stage = path.join(root, '.cache', 'gyp-stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const f of ['binding.gyp', 'native']) cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
cpSync(path.join(root, 'node_modules', 'node-addon-api'), path.join(stage, 'node_modules', 'node-addon-api'), { recursive: true });
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=2'], { cwd: stage, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 2);
rmSync(path.join(root, 'build-gyp'), { recursive: true, force: true });
renameSync(path.join(stage, 'build'), path.join(root, 'build-gyp'));
rmSync(stage, { recursive: true, force: true });
console.log('build-gyp: build-gyp/Release/bimix.node');
