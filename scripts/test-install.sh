#!/usr/bin/env bash
# Installs the packed package as a user would, on a PATH holding node, npm and basic
# tools only (no compiler, make or cmake), into scratch projects:
#   1. the tarball `npm pack` makes (with the prebuild of this platform): the install
#      uses the prebuild, `npx bimix analyze` counts a generated shard, and the library
#      loads with `import` and `require` (and type-checks from .mts and .cts files);
#   2. the same tarball without prebuilds/: the install exits 0 and says what is
#      missing, fit, mix, baseline and check of a saved report work, `bimix analyze`
#      fails with E_NATIVE naming the cause and `npm rebuild bimix`.
# Dependencies come from the npm registry (or the npm cache).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
section() { echo "== $* (at ${SECONDS}s)"; }

section pack
(cd "$repo" && npm pack --silent --pack-destination "$work" >"$work/pack.out" 2>"$work/pack.err") ||
  { cat "$work/pack.err" >&2; fail "npm pack"; }
tgz="$work/$(tail -n 1 "$work/pack.out")"
tar -tzf "$tgz" >"$work/files"
grep -q '^package/prebuilds/' "$work/files" || fail "the tarball has no prebuild"
if grep -E '\.map$|^package/native/(test|fuzz)/|^package/(bench|test)/|^package/scripts/(test|bench|fuzz)' "$work/files"; then
  fail "the tarball ships files users do not run (above)"
fi
echo "$(wc -l <"$work/files") files, $(du -k "$tgz" | cut -f1) kB"

# The same package without prebuilds, as on a platform we publish none for.
mkdir "$work/unpacked"
tar -xzf "$tgz" -C "$work/unpacked"
# The source build of the fallback needs every file CMakeLists.txt names and every
# header those include (a full build takes too long here; the workflow runs one).
node -e '
  const fs = require("node:fs"), path = require("node:path");
  const pkg = process.argv[1], missing = [];
  const named = fs.readFileSync(path.join(pkg, "CMakeLists.txt"), "utf8").match(/native\/[\w\/.-]+\.cc/g) ?? [];
  for (const f of named) if (!/^native\/(test|fuzz)\//.test(f) && !fs.existsSync(path.join(pkg, f))) missing.push(f);
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  for (const f of walk(path.join(pkg, "native"))) {
    for (const m of fs.readFileSync(f, "utf8").matchAll(/^#include "([^"]+)"/gm)) {
      if (!fs.existsSync(path.resolve(path.dirname(f), m[1]))) missing.push(`${path.relative(pkg, f)}: ${m[1]}`);
    }
  }
  if (named.length === 0 || missing.length > 0) { console.error("not packed:", missing.join(", ") || "no sources named"); process.exit(1); }
' "$work/unpacked/package" || fail "the tarball lacks sources of the fallback build"
rm -rf "$work/unpacked/package/prebuilds"
tar -czf "$work/no-prebuild.tgz" -C "$work/unpacked" package

# A PATH of node, npm and basic tools, nothing else. Nothing is uninstalled.
bin="$work/bin"
mkdir "$bin"
for tool in node npm npx sh bash env cat ls mkdir rm cp mv ln chmod dirname basename uname head tail grep sed tr sort wc mktemp touch readlink; do
  src="$(command -v "$tool")" && ln -s "$src" "$bin/$tool"
done
for tool in cmake make ninja cc c++ gcc g++ clang clang++; do
  if PATH="$bin" command -v "$tool" >/dev/null; then fail "$tool is on the restricted PATH"; fi
done
# Run a command as a user would: restricted PATH, no settings leaking from an npm script
# that started this one, no addon override.
user() {
  env -u BIMIX_NATIVE_PATH -u BIMIX_BUILD_FROM_SOURCE -u CXX -u CC \
    $(env | sed -n 's/^\(npm_[a-z_]*\)=.*/-u \1/p') PATH="$bin" "$@"
}
# `npx bimix analyze` as the README says; the other commands through the same bin link
# npx would run, without npx's start-up time.
npm_install() { user npm install --no-audit --no-fund --prefer-offline --foreground-scripts "$@"; }

# A raw u16 shard: 50000 tokens from a fixed LCG, every 97th the separator 0, so
# 515 documents end in it and 49485 tokens are counted.
make_shard() {
  node -e '
    const t = new Uint16Array(50000); let x = 12345;
    for (let i = 0; i < t.length; i++) { x = (x * 1103515245 + 12345) % 2147483648; t[i] = i % 97 === 96 ? 0 : 1 + ((x >>> 16) % 500); }
    require("node:fs").writeFileSync(process.argv[1], Buffer.from(t.buffer));' "$1"
}

section install with the prebuild
app="$work/app"
mkdir "$app" && cd "$app"
echo '{ "name": "scratch", "private": true }' >package.json
npm_install "$tgz" >install.log 2>&1 || { cat install.log; fail "npm install of the tarball"; }
grep -q 'bimix: using the prebuilt addon' install.log || { cat install.log; fail "the install did not use the prebuild"; }
[ ! -e node_modules/cmake-js ] || fail "cmake-js was installed although a prebuild was used"
echo "$(ls node_modules | wc -l) packages in node_modules, $(du -sk node_modules | cut -f1) kB"
make_shard shard.bin
user npx bimix analyze --domain web=shard.bin --format raw --dtype u16 --eos 0 --threads 2 --chunk-size 64KB --quiet --out report.json >/dev/null ||
  fail "npx bimix analyze"
node -e '
  const d = JSON.parse(require("node:fs").readFileSync("report.json", "utf8")).domains;
  const web = d.find((x) => x.name === "web");
  if (!web || web.files[0].tokens !== 50000 || web.tokens !== 49485) { console.error(JSON.stringify(web)); process.exit(1); }' ||
  fail "the report does not count the tokens of the shard"
# Both module systems, each running a real analysis through the addon.
cat >use.cjs <<'EOF'
const bimix = require('bimix');
bimix.analyze({ domains: [{ name: 'web', globs: ['shard.bin'], read: { format: 'raw', dtype: 'u16', eos: 0 } }], threads: 1 })
  .then((r) => console.log('require: tokens', r.domains[0].tokens));
EOF
cat >use.mjs <<'EOF'
import { analyze } from 'bimix';
const r = await analyze({ domains: [{ name: 'web', globs: ['shard.bin'], read: { format: 'raw', dtype: 'u16', eos: 0 } }], threads: 1 });
console.log('import: tokens', r.domains[0].tokens);
EOF
user node use.cjs | tee use.out
user node use.mjs | tee -a use.out
[ "$(grep -c 'tokens 49485$' use.out)" = 2 ] || fail "require or import did not analyze the shard"
# Types for both: a CommonJS and an ES module consumer, checked with the repository's tsc.
cat >types.cts <<'EOF'
import bimix = require('bimix');
const law: typeof bimix.fitLaw = bimix.fitLaw;
export const code: bimix.ErrorCode = 'E_NATIVE';
void law;
EOF
cat >types.mts <<'EOF'
import { BimixError, type ErrorCode } from 'bimix';
export const e: BimixError = new BimixError('E_NATIVE' satisfies ErrorCode, 'x');
EOF
node "$repo/node_modules/typescript/bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext \
  --skipLibCheck --types node --typeRoots "$repo/node_modules/@types" types.cts types.mts || fail "types of require or import"

section install without a prebuild and without a compiler
app="$work/app-fallback"
mkdir "$app" && cd "$app"
echo '{ "name": "scratch", "private": true }' >package.json
npm_install "$work/no-prebuild.tgz" >install.log 2>&1 || { cat install.log; fail "the fallback install did not exit 0"; }
grep -q 'cannot build the native addon from source: cmake is not on PATH' install.log &&
  grep -q 'npm rebuild bimix' install.log || { cat install.log; fail "the fallback install did not say what is missing"; }
[ -f node_modules/bimix/dist/index.js ] || fail "the fallback install left no package"
user node_modules/.bin/bimix fit --losses node_modules/bimix/examples/laws/losses.csv --mixtures node_modules/bimix/examples/laws/mixtures.csv \
  --holdout last --out law.json --quiet >/dev/null || fail "bimix fit without the addon"
[ -s law.json ] || fail "bimix fit wrote no law"
user node_modules/.bin/bimix mix --from "$work/app/report.json" --json >/dev/null || fail "bimix mix without the addon"
user node_modules/.bin/bimix baseline --from "$work/app/report.json" --out baseline.json --quiet || fail "bimix baseline without the addon"
user node_modules/.bin/bimix check --baseline baseline.json --current "$work/app/report.json" --quiet >/dev/null ||
  fail "bimix check of a saved report without the addon"
make_shard shard.bin
set +e
user npx bimix analyze --domain web=shard.bin --format raw --dtype u16 --quiet 2>analyze.err
code=$?
set -e
[ "$code" = 2 ] || { cat analyze.err; fail "bimix analyze without the addon exited $code, not 2"; }
grep -q 'error E_NATIVE' analyze.err && grep -q 'npm rebuild bimix' analyze.err && grep -q 'cmake is not on PATH' analyze.err ||
  { cat analyze.err; fail "the E_NATIVE error does not name the fix and the cause"; }
echo "test-install: ok (${SECONDS}s)"
