/** The HTML report without a browser: escaping, input recognition, sections, the command line. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BimixError } from '../src/errors.js';
import { buildReportHtml, escapeHtml, readReportInputs, scriptJson } from '../src/report-html/index.js';
import { EVIL, writeReportFixtures } from './report-fixtures.js';

const MAIN = path.resolve('dist/cli/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'bimix-report-'));

function bimix(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The page without the inlined library code (which is not built from inputs). */
function ownMarkup(html: string): string {
  return html.replace(/<script>\/\* vega[\s\S]*?<\/script>/g, '');
}

describe('escaping', () => {
  it('scriptJson keeps the value and leaves nothing that can end or alter a script element', () => {
    for (const s of [...EVIL, '\u2029', '<!--', '-->', '</SCRIPT >']) {
      const j = scriptJson({ s, a: [s] });
      expect(j).not.toMatch(/[<>&\u2028\u2029]/);
      expect(JSON.parse(j)).toEqual({ s, a: [s] });
    }
  });
  it('escapeHtml escapes markup and quotes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('buildReportHtml', () => {
  it('has a section per input, the library inlined, nothing fetched, and no input string unescaped', async () => {
    const names = [...EVIL, 'web'];
    const f = await writeReportFixtures(tmp, names);
    const html = buildReportHtml(await readReportInputs([f.analysis, f.check, f.law, f.opt]));
    for (const id of ['corpus-0', 'mixture', 'check-0', 'laws']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toMatch(/<script>\/\* vega 6\.[\s\S]*<script>\/\* vega-lite 6\.[\s\S]*<script>\/\* vega-embed 7\./);
    const own = ownMarkup(html);
    expect(own).not.toMatch(/<(script|img|link|iframe)[^>]*\s(src|href)=/i);
    expect(own).not.toMatch(/https?:\/\//);
    for (const n of EVIL) expect(html).not.toContain(n);
    // Exactly the library scripts, the chart specs and the boot script are script elements.
    const scripts = own.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.every((s) => s === '<script>' || /^<script type="application\/json" class="chart-spec" data-target="chart-\d+">$/.test(s))).toBe(true);
    // The specs parse back to the names as given.
    const specs = [...own.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => JSON.stringify(JSON.parse(m[1]!)));
    for (const n of EVIL) expect(specs.some((s) => s.includes(JSON.stringify(n).slice(1, -1)))).toBe(true);
    expect(html).toContain('not the held-out predictions');
  });

  it('refuses what it does not know with E_SCHEMA naming the file', async () => {
    const bad = path.join(tmp, 'baseline-like.json');
    writeFileSync(bad, JSON.stringify({ schema: 'bimix.baseline/1', domains: [] }));
    const err = await readReportInputs([bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BimixError);
    expect((err as BimixError).code).toBe('E_SCHEMA');
    expect((err as BimixError).file).toBe(bad);
    expect((err as BimixError).message).toContain('bimix.baseline/1');
    const noRows = path.join(tmp, 'check-without-rows.json');
    writeFileSync(noRows, JSON.stringify({ schema: 'bimix.check/1' }));
    await expect(readReportInputs([noRows])).rejects.toMatchObject({ code: 'E_SCHEMA', file: noRows });
  });

  it('tolerates absent (null) entropies and additive fields, and says which domains lack them', async () => {
    const f = await writeReportFixtures(tmp, ['a', 'b', 'c', 'd']);
    const doc = JSON.parse(readFileSync(f.analysis, 'utf8'));
    doc.domains[2].entropy = { shannon: null, joint: null, conditional: null };
    doc.domains[2].millerMadow = null;
    doc.warnings = ['something new'];
    doc.domains[0].somethingNew = { x: 1 };
    const file = path.join(tmp, 'nulls.json');
    writeFileSync(file, JSON.stringify(doc));
    const html = buildReportHtml(await readReportInputs([file]));
    expect(html).toMatch(/No entropy \(absent in the report, shown as –\) for: <code>c<\/code>/);
    const spec = [...html.matchAll(/<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!));
    const entropyRows = spec[1].data.values as { domain: string; value?: number }[];
    expect(entropyRows.some((r) => r.domain === 'c')).toBe(false);
    expect(entropyRows.every((r) => r.value === undefined || Number.isFinite(r.value))).toBe(true);
  });
});

describe.skipIf(!existsSync(MAIN))('bimix report (command line)', () => {
  it('writes the page atomically and names a file of unknown schema', async () => {
    const f = await writeReportFixtures(tmp, ['web', 'code', 'books', 'math']);
    const out = path.join(tmp, 'page.html');
    const r = bimix('report', f.analysis, f.check, f.law, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`bimix: wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const bad = path.join(tmp, 'policy.json');
    writeFileSync(bad, JSON.stringify({ schema: 'bimix.policy/1' }));
    const e = bimix('report', f.analysis, bad, '--out', path.join(tmp, 'never.html'));
    expect(e.code).toBe(2);
    expect(e.err).toMatch(new RegExp(`^bimix: error E_SCHEMA: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: unknown schema "bimix.policy/1"`));
    expect(existsSync(path.join(tmp, 'never.html'))).toBe(false);
    const missingDir = bimix('report', f.analysis, '--out', path.join(tmp, 'no-such-dir', 'x.html'));
    expect(missingDir.code).toBe(2);
    expect(missingDir.err).toMatch(/^bimix: error E_IO: /);
    expect(readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('check --html and fit --html write the page beside their usual output', async () => {
    const f = await writeReportFixtures(tmp, ['web', 'code', 'books', 'math']);
    const base = path.join(tmp, 'base.json');
    expect(bimix('baseline', '--from', f.analysis, '--out', base).code).toBe(0);
    const page = path.join(tmp, 'check.html');
    const c = bimix('check', '--baseline', base, '--current', f.analysis, '--reporter', 'json', '--html', page);
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(c.out).schema).toBe('bimix.check/1');
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<section id="check-0">');
    expect(html).toContain('<section id="corpus-0">');
    const fitPage = path.join(tmp, 'fit.html');
    const fit = bimix('fit', '--losses', 'examples/laws/losses.csv', '--mixtures', 'examples/laws/mixtures.csv', '--out', path.join(tmp, 'l.json'), '--html', fitPage, '--quiet');
    expect(fit.code, fit.err).toBe(0);
    const fh = readFileSync(fitPage, 'utf8');
    expect(fh).toContain('observed vs predicted loss (in-sample)');
    expect(fh).toMatch(/Dots: 32 observed losses at that step/);
  });
});
