/**
 * Where the prebuilt addon of this platform lives inside the package. The layout is
 * prebuildify's (`prebuilds/<platform>-<arch>/node.napi[.<libc>].node`), so the files
 * could equally be loaded by node-gyp-build.
 */
import path from 'node:path';

/** The C library of this Linux process ('glibc' or 'musl'); null on other platforms. */
function linuxLibc(): 'glibc' | 'musl' | null {
  if (process.platform !== 'linux') return null;
  // The process report names the glibc version it runs on and has no such field under
  // musl; detect-libc uses the same test. Network details are skipped to keep it fast.
  const report = process.report as NodeJS.ProcessReport & { excludeNetwork?: boolean };
  const before = report.excludeNetwork;
  if (typeof before === 'boolean') report.excludeNetwork = true;
  try {
    const header = (report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    return header?.glibcVersionRuntime ? 'glibc' : 'musl';
  } finally {
    if (typeof before === 'boolean') report.excludeNetwork = before;
  }
}

/** Path of the prebuilt addon for this platform, arch and libc under the package root. */
export function prebuildPath(root: string): string {
  const libc = linuxLibc();
  const file = libc ? `node.napi.${libc}.node` : 'node.napi.node';
  return path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, file);
}

/** The file the install script leaves when it could not build the addon: why, for E_NATIVE. */
export function installFailurePath(root: string): string {
  return path.join(root, 'build', 'install-failure.txt');
}
