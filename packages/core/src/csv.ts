/**
 * CSV as RFC 4180 has it (fields separated by commas, records ended by CRLF, a field with a comma, quote,
 * CR or LF quoted and its quotes doubled), made safe to open in a spreadsheet: a text field that starts
 * with a formula character (= + - @, tab or CR) gets a leading apostrophe, so it is read as text and
 * never run as a formula.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
