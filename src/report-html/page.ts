/** Assembles the self-contained page: styles, sections, the inlined chart library and the script that renders each chart. */
import { TOOL } from '../version.js';
import { chartLibrary } from './bundle.js';
import { escapeHtml, scriptJson } from './escape.js';
import type { Block, Section } from './model.js';

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header { background: #1f2d3d; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #c8d3de; font-size: 12px; }
nav { padding: 6px 24px; background: #e9eef3; font-size: 13px; }
nav a { margin-right: 14px; color: #1f4e79; }
main { padding: 8px 24px 40px; }
section { background: #fff; border: 1px solid #dde3e9; border-radius: 6px; padding: 10px 18px 14px; margin: 16px 0; }
section > h2 { margin: 4px 0 6px; font-size: 18px; }
.block { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; border-top: 1px solid #eef1f4; padding-top: 10px; margin-top: 10px; }
.block > .notes { flex-basis: 100%; }
figure { margin: 0; min-width: 280px; }
figcaption { font-weight: 600; margin-bottom: 4px; max-width: 760px; }
.table-wrap { overflow-x: auto; max-width: 100%; flex: 0 1 auto; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; }
th, td { padding: 2px 8px; border-bottom: 1px solid #e5e8eb; text-align: left; white-space: nowrap; }
th { background: #f1f4f7; position: sticky; top: 0; }
td.num { text-align: right; }
td.regression, td.v-fail { color: #b00020; font-weight: 700; }
td.v-missing { color: #b35900; font-weight: 600; }
td.v-pass { color: #1b7a1b; }
b.ok { color: #1b7a1b; } b.bad { color: #b00020; }
details { margin-top: 4px; font-size: 12px; }
details pre { max-height: 320px; overflow: auto; background: #f6f8fa; padding: 6px; border: 1px solid #e1e4e8; }
code { background: #f1f4f7; padding: 0 3px; border-radius: 3px; word-break: break-all; }
.chart-error { color: #b00020; }
`;

/** Renders each chart with vega-embed (SVG, so marks are inspectable); export actions work offline, the editor link is off. */
const BOOT = `
(function () {
  var done = [];
  var els = document.querySelectorAll('script.chart-spec');
  for (var i = 0; i < els.length; i++) {
    (function (el) {
      var id = el.getAttribute('data-target');
      var spec = JSON.parse(el.textContent);
      // The readable copy of the spec is made when its details element is first opened.
      var pre = document.querySelector('pre[data-for="' + id + '"]');
      if (pre) pre.parentNode.addEventListener('toggle', function () {
        if (!pre.textContent) pre.textContent = JSON.stringify(JSON.parse(el.textContent), null, 2);
      });
      done.push(vegaEmbed('#' + id, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
        .catch(function (e) {
          var box = document.getElementById(id);
          box.className += ' chart-error';
          box.textContent = 'chart failed: ' + e.message;
          console.error('chart ' + id + ' failed: ' + e.message);
        }));
    })(els[i]);
  }
  Promise.all(done).then(function () { document.documentElement.setAttribute('data-charts', 'done'); });
})();
`;

let chartCounter = 0;

/** Chart data at 6 significant digits: more than any axis or tooltip shows (tables keep their own precision), and a smaller page. */
function compact(spec: unknown): unknown {
  return JSON.parse(JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(6)) : v)));
}

function blockHtml(b: Block): string {
  const parts: string[] = [];
  if (b.notes && b.notes.length > 0) parts.push(`<div class="notes">${b.notes.map((n) => `<p>${n}</p>`).join('')}</div>`);
  if (b.chart) {
    const id = `chart-${++chartCounter}`;
    const c = b.chart;
    parts.push(
      `<figure><figcaption>${escapeHtml(c.title)}</figcaption>` +
        `<div class="vis" id="${id}" data-domains="${escapeHtml(scriptJson(c.domains))}"></div>` +
        `<script type="application/json" class="chart-spec" data-target="${id}">${scriptJson(compact(c.spec))}</script>` +
        `<details><summary>Vega-Lite specification and data</summary><pre data-for="${id}"></pre></details>` +
        (c.caption ? `<p>${escapeHtml(c.caption)}</p>` : '') +
        `</figure>`,
    );
  }
  if (b.table) parts.push(b.table);
  return `<div class="block">${parts.join('\n')}</div>`;
}

function sectionHtml(s: Section): string {
  return `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${s.intro.map((p) => `<p>${p}</p>`).join('')}\n${s.blocks.map(blockHtml).join('\n')}</section>`;
}

/** The whole page as one string; nothing in it refers to the network. */
export function renderPage(title: string, sources: string[], sections: Section[]): string {
  chartCounter = 0;
  const libs = chartLibrary();
  const nav = sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${TOOL.name} ${TOOL.version}`)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>${escapeHtml(`${TOOL.name} ${TOOL.version}`)} · from ${sources.map((f) => escapeHtml(f)).join(', ')} · charts: ${libs.map((l) => escapeHtml(`${l.name} ${l.version}`)).join(', ')} (inlined)</p></header>
<nav>${nav}</nav>
<main>
${sections.map(sectionHtml).join('\n')}
</main>
${libs.map((l) => `<script>/* ${l.name} ${l.version} */\n${l.code}\n</script>`).join('\n')}
<script>${BOOT}</script>
</body>
</html>
`;
}
