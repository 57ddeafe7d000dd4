/**
 * A chosen mixture, written the way trainers take it: Megatron-LM's `--data-path` list
 * (weight then path prefix, per dataset), or a domain -> weight map as JSON, YAML or CSV.
 */
import { BimixError, optionError } from '../errors.js';
import { significant } from '../util/format.js';

/** The formats `--emit` takes. */
export const EMIT_FORMATS = ['megatron', 'json', 'yaml', 'csv'] as const;
export type EmitFormat = (typeof EMIT_FORMATS)[number];

/** A report's files per domain: the `domains[].files` of an analysis report (only the fields used here). */
export interface DomainFiles {
  name: string;
  files: { path: string; format: string; tokens: number }[];
}

/** Parses the `--emit` value. */
export function parseEmitFormat(raw: string): EmitFormat {
  if (!(EMIT_FORMATS as readonly string[]).includes(raw)) throw optionError('--emit', EMIT_FORMATS.join('|'), raw);
  return raw as EmitFormat;
}

/** A weight printed in full precision but without binary noise (12 significant digits). */
function weight(v: number): string {
  return significant(v, 12);
}

/**
 * Megatron-LM `--data-path`: "weight prefix" pairs, one per line (Megatron splits the list on
 * whitespace, so it also works as `--data-path $(cat FILE)` or as the file of `--data-args-path`).
 * A domain's share is split over its files in proportion to their tokens, so each domain keeps its
 * share whatever the file sizes. Only Megatron datasets (.bin + .idx) can be listed: any other
 * format, a path with whitespace, or a domain with a share but no files is refused.
 */
export function emitMegatron(proportions: Record<string, number>, domains: readonly DomainFiles[], source?: string): string {
  const where = source !== undefined ? { file: source } : {};
  const lines: string[] = [];
  for (const [name, share] of Object.entries(proportions)) {
    if (!(share > 0)) continue;
    const dom = domains.find((d) => d.name === name);
    if (!dom || dom.files.length === 0) throw new BimixError('E_USAGE', `--emit megatron: domain "${name}" has a share but no files in the report`, where);
    const foreign = dom.files.find((f) => f.format !== 'megatron');
    if (foreign) {
      throw new BimixError(
        'E_USAGE',
        `--emit megatron: domain "${name}" has ${foreign.format} files (${foreign.path}); Megatron-LM's --data-path takes only Megatron .bin/.idx datasets (convert them, or use --emit json|yaml|csv)`,
        where,
      );
    }
    const total = dom.files.reduce((a, f) => a + f.tokens, 0);
    for (const f of dom.files) {
      const prefix = f.path.replace(/\.(bin|idx)$/, '');
      if (/\s/.test(prefix)) throw new BimixError('E_USAGE', `--emit megatron: path "${f.path}" holds whitespace, which Megatron-LM's --data-path list cannot carry`, where);
      const w = total > 0 ? (share * f.tokens) / total : share / dom.files.length;
      lines.push(`${weight(w)} ${prefix}`);
    }
  }
  if (lines.length === 0) throw new BimixError('E_USAGE', '--emit megatron: no domain has a share above 0', where);
  return `${lines.join('\n')}\n`;
}

/** `{ "domain": weight, ... }`, which `bimix predict --mixture` and `optimize --reference` read back. */
export function emitJson(proportions: Record<string, number>): string {
  return `${JSON.stringify(proportions, null, 2)}\n`;
}

/** Keys YAML would read as something other than a plain string. */
function yamlKey(k: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(k) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(k);
  // A JSON string is a valid YAML double-quoted scalar.
  return plain ? k : JSON.stringify(k);
}

/** `domain: weight` lines (YAML mapping). */
export function emitYaml(proportions: Record<string, number>): string {
  return Object.entries(proportions).map(([k, v]) => `${yamlKey(k)}: ${weight(v)}\n`).join('');
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `domain,weight` rows under a header (RFC 4180 quoting). */
export function emitCsv(proportions: Record<string, number>): string {
  return `domain,weight\n${Object.entries(proportions).map(([k, v]) => `${csvCell(k)},${weight(v)}\n`).join('')}`;
}

/** Renders a mixture in `format`; Megatron needs the files of each domain. */
export function emitMixture(format: EmitFormat, proportions: Record<string, number>, domains?: readonly DomainFiles[], source?: string): string {
  switch (format) {
    case 'megatron':
      if (!domains) throw new BimixError('E_USAGE', '--emit megatron needs the files of each domain: give an analysis report (bimix optimize: --emit-report REPORT.json)');
      return emitMegatron(proportions, domains, source);
    case 'json':
      return emitJson(proportions);
    case 'yaml':
      return emitYaml(proportions);
    case 'csv':
      return emitCsv(proportions);
  }
}
