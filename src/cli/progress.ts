/** Progress on stderr, only when it is a terminal and not --quiet. */
import type { ProgressEvent } from '../analyze/index.js';

function human(n: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)}${units[i]}`;
}

/** Returns a progress callback (or undefined when progress should not show). */
export function progressReporter(quiet: boolean | undefined): ((p: ProgressEvent) => void) | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  return (p) => {
    const secs = p.elapsedMs / 1000;
    const rate = secs > 0 ? p.tokensDone / secs : 0;
    const left = rate > 0 ? (p.tokensTotal - p.tokensDone) / rate : 0;
    const pct = p.tokensTotal > 0 ? (100 * p.tokensDone) / p.tokensTotal : 100;
    const line = `[${p.domainIndex + 1}/${p.domains}] ${p.domain}: ${pct.toFixed(1)}%  ${human(p.bytesDone)}B  ${human(rate)} tok/s  ETA ${left.toFixed(0)}s`;
    process.stderr.write(`\r\x1b[K${line}${p.tokensDone >= p.tokensTotal ? '\n' : ''}`);
  };
}
