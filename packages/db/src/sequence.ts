/**
 * Numbering rows 1, 2, 3... per parent (transcript turns per session, chat
 * messages per conversation). The INSERT reads the next number from the
 * committed rows itself, and the unique (parent, sequence) index settles any
 * race: a writer whose insert did nothing (the number was just taken) tries
 * again with the number after the winner's. So concurrent writers never share
 * a number nor leave a gap, and the usual case is one round trip.
 */
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** `(select coalesce(max(sequence), 0) + 1 from table where parent = id)` */
export function nextSequenceSql(table: PgTable, sequence: AnyColumn, parent: AnyColumn, parentId: string): SQL {
  return sql`(select coalesce(max(${sequence}), 0) + 1 from ${table} where ${parent} = ${parentId})`;
}

/** Runs an `INSERT ... ON CONFLICT DO NOTHING RETURNING` until it returns its row. */
export async function insertInSequence<Row>(insert: () => Promise<Row[]>): Promise<Row> {
  for (;;) {
    const [row] = await insert();
    if (row) return row;
  }
}
