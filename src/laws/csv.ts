/** A small RFC 4180 CSV reader that keeps line numbers, so validation can point at rows. */

/** One parsed record with the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Splits CSV text into records (quoted fields, doubled quotes, CRLF, blank lines skipped). */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  const endRecord = (): void => {
    cells.push(cell);
    if (any || cells.length > 1 || cell.trim() !== '') out.push({ line: start, cells: cells.map((c) => c.trim()) });
    cells = [];
    cell = '';
    any = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return out;
}
