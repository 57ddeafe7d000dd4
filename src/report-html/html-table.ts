/** HTML tables for the page; every cell is escaped here. */
import { escapeHtml } from './escape.js';

/** A cell: plain text (escaped), or text with a CSS class (e.g. for verdicts). */
export type Cell = string | { text: string; cls?: string; title?: string };

/** Renders a table; numeric-looking columns are right-aligned by the `num` class of their cells. */
export function htmlTable(head: string[], rows: Cell[][], caption?: string): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => cell(c, i)).join('')}</tr>`)
    .join('\n');
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${cap}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function cell(c: Cell, index: number): string {
  const { text, cls, title } = typeof c === 'string' ? { text: c, cls: undefined, title: undefined } : c;
  const numeric = index > 0 && /^[-+–]?[\d.,]+(e[-+]?\d+)?%?$|^–$/.test(text);
  const classes = [numeric ? 'num' : '', cls ?? ''].filter(Boolean).join(' ');
  return `<td${classes ? ` class="${escapeHtml(classes)}"` : ''}${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</td>`;
}
