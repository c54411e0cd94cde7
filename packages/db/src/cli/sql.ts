/**
 * `pnpm db:sql "<query>"`: runs one query on the project's database (embedded or DATABASE_URL)
 * through the driver, so it needs no psql, and prints the rows as an aligned table.
 */
import postgres from 'postgres';
import { databaseCommand } from './database-command.js';

const query = process.argv.slice(2).join(' ').trim();
if (!query) {
  console.error('usage: pnpm db:sql "select …" (one query; `pnpm db:psql` opens an interactive shell)');
  process.exit(1);
}

await databaseCommand(
  'db:sql',
  async (database) => {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql.unsafe(query);
      console.log(formatTable(rows.columns?.map((column) => column.name) ?? [], rows));
      return 0;
    } catch (error) {
      console.error(`query failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    } finally {
      await sql.end({ timeout: 5 });
    }
  },
  console.error,
);

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, ' ');
}

/** psql's aligned format: a header, a rule, the rows and a row count. */
function formatTable(columns: string[], rows: readonly Record<string, unknown>[]): string {
  if (columns.length === 0) return `(${rows.length} rows)`;
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((value, i) => ` ${value.padEnd(widths[i] ?? 0)} `)
      .join('|')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width + 2)).join('+');
  const count = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`;
  return [line(columns), rule, ...cells.map(line), count].join('\n');
}
