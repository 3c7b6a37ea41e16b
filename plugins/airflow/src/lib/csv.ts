/**
 * Minimal CSV writing (RFC 4180): comma separated, CRLF line ends, fields
 * quoted when needed, embedded quotes doubled.
 */

/** A cell value; null and undefined become empty cells. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * Characters that make spreadsheet programs read a cell as a formula. Cells
 * starting with one of them get a leading `'` so that an exported DAG name or
 * schedule can never run as a formula when the file is opened.
 */
const FORMULA_PREFIXES = ['=', '+', '-', '@', '\t', '\r'];

/** One CSV field: neutralized against formulas, quoted when it needs to be. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (
    typeof value === 'string' &&
    FORMULA_PREFIXES.some(prefix => text.startsWith(prefix))
  ) {
    text = `'${text}`;
  }
  if (/[",\r\n]/.test(text) || text !== text.trim()) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

/** A CSV document: a header row and one row per record, CRLF after each row. */
export function toCsv(header: readonly string[], rows: readonly CsvValue[][]) {
  return [header, ...rows]
    .map(row => `${row.map(csvField).join(',')}\r\n`)
    .join('');
}
