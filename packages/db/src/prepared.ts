/**
 * Statements on the hot paths (a heartbeat, a transcript turn, a request's
 * reads) are prepared once per database handle: drizzle builds their SQL once,
 * and postgres.js sends them as named statements, one round trip each, where
 * an unprepared query with parameters costs two (the server is asked for the
 * parameter types first).
 */
import type { Database } from './client.js';

export function preparedFor<T>(build: (db: Database) => T): (db: Database) => T {
  const byDatabase = new WeakMap<Database, T>();
  return (db) => {
    let prepared = byDatabase.get(db);
    if (prepared === undefined) {
      prepared = build(db);
      byDatabase.set(db, prepared);
    }
    return prepared;
  };
}
