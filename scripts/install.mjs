// The package's install step (npm runs it on `npm install`, `npm ci` and `npm rebuild`).
//
// Installed from the registry or a tarball: use the prebuilt addon of this platform if
// it loads; otherwise build from source with cmake-js. If that build is impossible or
// fails, say why, record the reason for the loader's E_NATIVE message, and exit 0: the
// commands that need no addon (fit, predict, optimize, grow, mix, check of saved
// reports) keep working.
//
// In a source checkout (recognised by native/test/, which is never packed; the loader
// uses the same rule) the addon is always built from source and a failure fails the
// install: contributors and CI need the addon of the sources they have.
//
// Force a source build with BIMIX_BUILD_FROM_SOURCE=1 or `npm install --build-from-source`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const checkout = existsSync(path.join(root, 'native', 'test'));
const failureRecord = path.join(root, 'build', 'install-failure.txt');

/** True when the user asked for a source build of this package. */
function sourceBuildForced() {
  const own = process.env.BIMIX_BUILD_FROM_SOURCE;
  if (own && own !== '0' && own !== 'false') return true;
  // node-pre-gyp's convention: --build-from-source (true) or --build-from-source=bimix,other.
  const npm = process.env.npm_config_build_from_source;
  return npm === 'true' || (npm !== undefined && npm.split(',').includes('bimix'));
}

/** Loads the prebuild of this platform through the package's own loader; null if it works. */
async function prebuildProblem() {
  const where = path.join(root, 'dist', 'engine', 'prebuild-path.js');
  if (!existsSync(where)) return 'the package has no compiled dist/ (not a packed bimix?)';
  const { prebuildPath } = await import(pathToFileURL(where).href);
  const file = prebuildPath(root);
  if (!existsSync(file)) return `no prebuilt addon for ${process.platform}-${process.arch} in this package`;
  try {
    createRequire(import.meta.url)(file).kernelInfo();
    return null;
  } catch (e) {
    return `the prebuilt addon ${path.relative(root, file)} does not load here (${e.message.split('\n')[0]})`;
  }
}

/** True when `name` is an executable on PATH (or an executable path). */
function onPath(name) {
  const dirs = name.includes('/') ? [''] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What a source build needs and this machine lacks, in words. */
function missingTools() {
  const missing = [];
  if (!onPath('cmake')) missing.push('cmake is not on PATH');
  if (!onPath('make') && !onPath('ninja')) missing.push('neither make nor ninja is on PATH');
  const cxx = process.env.CXX?.split(' ')[0];
  if (cxx ? !onPath(cxx) : !['c++', 'g++', 'clang++'].some(onPath)) {
    missing.push(cxx ? `the C++ compiler CXX=${cxx} is not found` : 'no C++ compiler (c++, g++ or clang++) is on PATH');
  }
  return missing;
}

/** Runs `cmake-js compile`: the installed one if any, else the declared version through npm exec. */
function runCmakeJs() {
  const args = ['compile', '--log-level', 'warn'];
  let cmd;
  let which;
  try {
    cmd = [process.execPath, createRequire(path.join(root, 'package.json')).resolve('cmake-js/bin/cmake-js'), ...args];
    which = 'cmake-js';
  } catch {
    // Users who get a prebuild never need cmake-js, so it is not a dependency: fetch it only now.
    const range = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies['cmake-js'];
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    cmd = [...npm, 'exec', '--yes', `--package=cmake-js@${range}`, '--', 'cmake-js', ...args];
    which = `cmake-js@${range} (through npm exec)`;
  }
  console.log(`bimix: building the native addon from source with ${which}`);
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: 'inherit' });
  return r.error ? `cmake-js could not be started (${r.error.message})` : r.status === 0 ? null : `cmake-js exited with ${r.status ?? r.signal}`;
}

async function giveUp(reason) {
  if (checkout) {
    console.error(`bimix: ${reason}. A checkout needs the addon: install cmake and a C++17 compiler, then run npm ci again.`);
    process.exit(1);
  }
  if (await prebuildProblem().then((problem) => problem === null, () => false)) {
    // A forced source build that could not happen: the prebuild still serves.
    console.warn(`bimix: ${reason}.\nbimix: the prebuilt addon stays in use.`);
    return;
  }
  mkdirSync(path.dirname(failureRecord), { recursive: true });
  writeFileSync(failureRecord, `${reason}.\n`);
  console.warn(
    [
      `bimix: ${reason}.`,
      'bimix: installed WITHOUT the native addon: analyze, count, merge, demo and check of a corpus fail with E_NATIVE;',
      'bimix: fit, predict, optimize, grow, mix and check of saved reports work.',
      'bimix: to add the addon, install cmake and a C++17 compiler, then run `npm rebuild bimix`.',
    ].join('\n'),
  );
}

async function main() {
  rmSync(failureRecord, { force: true });
  if (!checkout && !sourceBuildForced()) {
    const problem = await prebuildProblem();
    if (problem === null) return console.log('bimix: using the prebuilt addon');
    console.log(`bimix: ${problem}; building it from source`);
  }
  const missing = missingTools();
  if (missing.length > 0) return giveUp(`cannot build the native addon from source: ${missing.join('; ')}`);
  const failed = runCmakeJs();
  if (failed) return giveUp(`the source build of the native addon failed: ${failed} (its output is above)`);
}

try {
  await main();
} catch (e) {
  // Whatever went wrong, a user's install keeps the package (giveUp exits 1 in a checkout).
  await giveUp(`the install step failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
}
