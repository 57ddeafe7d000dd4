/**
 * The HTML report in a real browser: Debian's headless Chromium through playwright-core, every
 * request but the page file aborted. Without a browser these tests are skipped, loudly; with
 * BIMIX_REQUIRE_BROWSER=1 (CI) a missing browser fails instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReportInputs, writeReportHtml } from '../src/report-html/index.js';
// @ts-expect-error plain JavaScript helper shared with scripts/report-bench.mjs
import { CHROMIUM, HAVE_CHROMIUM, openReport } from '../scripts/report-browser.mjs';
import { EVIL, writeReportFixtures } from './report-fixtures.js';

const REQUIRED = process.env.BIMIX_REQUIRE_BROWSER === '1';
if (!HAVE_CHROMIUM) {
  const line = '!'.repeat(100);
  process.stderr.write(`\n${line}\n!!! SKIPPED: no Chromium at ${CHROMIUM}: the HTML report was NOT tested in a browser.\n!!! Install it (apt-get install -y chromium) or set BIMIX_CHROMIUM.\n${line}\n\n`);
}

it.runIf(REQUIRED && !HAVE_CHROMIUM)('a browser is installed (BIMIX_REQUIRE_BROWSER=1)', () => {
  expect(HAVE_CHROMIUM, `no Chromium at ${CHROMIUM}`).toBe(true);
});

interface ChartInfo {
  id: string;
  domains: string[];
  marks: number;
  labels: string[];
  failed: boolean;
}

describe.skipIf(!HAVE_CHROMIUM)('HTML report in headless Chromium (network blocked)', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-report-browser-'));
  const names = [...EVIL, 'web', 'code'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let opened: any;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const f = await writeReportFixtures(tmp, names);
    const page = path.join(tmp, 'report.html');
    await writeReportHtml(page, await readReportInputs([f.analysis, f.check, f.law, f.opt]));
    opened = await openReport(page);
    opened.page.on('dialog', (d: { message(): string; dismiss(): Promise<void> }) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    process.stderr.write(`report page rendered in ${Math.round(opened.renderMs)} ms\n`);
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
  });

  it('requests nothing but the file, logs no error', () => {
    expect(opened.blocked).toEqual([]);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
  });

  it('renders every chart as SVG with a mark for every domain it shows', async () => {
    const charts: ChartInfo[] = await opened.page.evaluate(() =>
      [...document.querySelectorAll('.vis')].map((v) => {
        const items = [...v.querySelectorAll('svg g.role-mark > *')];
        return {
          id: v.id,
          domains: JSON.parse(v.getAttribute('data-domains') ?? '[]') as string[],
          marks: items.length,
          labels: items.map((e) => e.getAttribute('aria-label') ?? ''),
          failed: v.classList.contains('chart-error'),
        };
      }),
    );
    // corpus (2), mixture, check heatmap + regressions, law scores + curves, optimizer.
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const c of charts) {
      expect(c.failed, c.id).toBe(false);
      expect(c.marks, c.id).toBeGreaterThan(0);
      expect(c.domains.length, c.id).toBeGreaterThan(0);
      for (const d of c.domains) expect(c.labels.some((l) => l.includes(d)), `${c.id}: no mark for domain ${JSON.stringify(d)}`).toBe(true);
    }
  });

  it('shows hostile domain names as text and runs none of them', async () => {
    expect(dialogs).toEqual([]);
    expect(await opened.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const cells: string[] = await opened.page.evaluate(() => [...document.querySelectorAll('td')].map((td) => td.textContent ?? ''));
    for (const n of EVIL) expect(cells).toContain(n);
    // The only img elements are none: the onerror name stayed text.
    expect(await opened.page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
  });

  it('puts each chart\'s specification and data in the page', async () => {
    // The readable copy is made when a details element is opened.
    await opened.page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    await opened.page.waitForFunction(() => [...document.querySelectorAll('details pre')].every((p) => (p.textContent ?? '') !== ''), null, { timeout: 10_000 });
    const specs: string[] = await opened.page.evaluate(() => [...document.querySelectorAll('details pre')].map((p) => p.textContent ?? ''));
    expect(specs.length).toBeGreaterThanOrEqual(8);
    for (const s of specs) expect(JSON.stringify(JSON.parse(s))).toContain('"values":[');
  });
});
