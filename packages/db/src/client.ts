import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

/** The drizzle database, with the postgres.js client under it (`$client`) for the few hot statements written as plain SQL. */
export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
export type Sql = postgres.Sql;

export interface DbHandle {
  db: Database;
  sql: Sql;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Pool size. */
  max?: number;
  applicationName?: string;
}

/** One pool for the process: drizzle for queries, the raw postgres.js client for LISTEN and bulk work. */
export function connect(url: string, options: ConnectOptions = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'standardized-patient' },
  });
  const db = drizzle(withNamedStatements(sql), { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

type Unsafe = postgres.Sql['unsafe'];
type Scoped = { unsafe: Unsafe; begin?: unknown; savepoint?: unknown };

/**
 * drizzle sends every query it did not `.prepare()` as an unnamed statement,
 * and postgres.js then asks the server for the parameter types before it can
 * send the values: two round trips a query, each waiting on a busy event loop.
 * As named statements (cached per connection by their text) they cost one.
 * The client's own `prepare` setting still decides: `?prepare=false` on
 * DATABASE_URL turns this off, for a connection pooler that cannot keep
 * prepared statements. Transactions and savepoints get a fresh client each;
 * they are wrapped the same way.
 */
function withNamedStatements<T extends Scoped>(sql: T, prepare = (sql as unknown as postgres.Sql).options.prepare): T {
  if (!prepare) return sql;
  const unsafe = sql.unsafe.bind(sql) as Unsafe;
  sql.unsafe = ((query: string, params?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
    unsafe(query, params, { ...options, prepare: true })) as Unsafe;
  for (const scope of ['begin', 'savepoint'] as const) {
    const open = sql[scope];
    if (typeof open !== 'function') continue;
    sql[scope] = (...args: unknown[]) => {
      const body = args.pop() as (scoped: Scoped) => unknown;
      return open.call(sql, ...args, (scoped: Scoped) => body(withNamedStatements(scoped, prepare)));
    };
  }
  return sql;
}
