import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

test('an unknown option is a usage error with exit 2, not a crash', () => {
  const r = spawnSync(process.execPath, [CLI, 'analyze', '--no-such-flag'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
});
