/**
 * Escaping for the HTML report. Every string that comes from an input file (domain names,
 * file paths, reasons, warnings) reaches the page through one of these two functions.
 */
import { BimixError } from '../errors.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that is safe inside an inline `<script>` element: `<`, `>` and `&` become \u escapes (so no
 * `</script>` or `<!--` can end or alter the element), and U+2028/U+2029 are escaped too (line
 * terminators in older JavaScript string literals). The result parses to the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Library code to inline in a `<script>` element. Minified bundles normally hold no `</script` or
 * `<!--`; should a future version do so, the page would break, so refuse instead of guessing.
 */
export function checkInlineScript(code: string, file: string): string {
  if (/<\/script|<!--/i.test(code)) throw new BimixError('E_FORMAT', 'contains "</script" or "<!--" and cannot be inlined in a page', { file });
  return code;
}
