/** Notes and warnings of law commands, summarised one line per kind unless --verbose. */
import { log } from './output.js';

/** One note: who it is about and what it says. */
export interface Note {
  /** e.g. "exp law" or "exp law, arxiv". */
  scope: string;
  /** The grouping scope, e.g. "exp law". */
  group: string;
  text: string;
}

/** The kind of a note: its text with numbers and quoted names blanked, so per-domain variants group together. */
function kind(n: Note): string {
  return `${n.group}\u0000${n.text.replace(/"[^"]*"/g, '"_"').replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, '#')}`;
}

/** Prints notes: every one with `verbose`, otherwise the first of each kind and how many share it. */
export function printNotes(notes: readonly Note[], opts: { quiet?: boolean; verbose?: boolean; label?: string }): void {
  const label = opts.label ?? 'note';
  if (opts.verbose) {
    for (const n of notes) log(opts.quiet, `bimix: ${label} (${n.scope}): ${n.text}`);
    return;
  }
  const groups = new Map<string, Note[]>();
  for (const n of notes) {
    const k = kind(n);
    const g = groups.get(k);
    if (g) g.push(n);
    else groups.set(k, [n]);
  }
  for (const g of groups.values()) {
    const more = g.length > 1 ? ` [${g.length} alike, e.g. ${g[0]!.scope}; --verbose lists all]` : '';
    log(opts.quiet, `bimix: ${label} (${g.length > 1 ? g[0]!.group : g[0]!.scope}): ${g[0]!.text}${more}`);
  }
}
