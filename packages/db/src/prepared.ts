/**
 * Statements on the hot paths (a heartbeat, a transcript turn, a request's
 * reads) are prepared once per database handle (or transaction), so drizzle
 * builds their SQL once rather than on every call. (Every query already goes as a named
 * statement, one round trip: see client.ts.)
 */
import type { Database } from './client.js';

export function preparedFor<T, D extends object = Database>(build: (db: D) => T): (db: D) => T {
  const byDatabase = new WeakMap<D, T>();
  return (db) => {
    let prepared = byDatabase.get(db);
    if (prepared === undefined) {
      prepared = build(db);
      byDatabase.set(db, prepared);
    }
    return prepared;
  };
}
