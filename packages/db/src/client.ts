import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { codedErrors, SQLSTATE } from './postgres-errors.js';
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
  /** How long opening a connection may take before its queries fail (postgres.js's default: 30 s). */
  connectTimeoutSeconds?: number;
  /**
   * The most one query may take, from the moment it is issued: waiting for a
   * pool connection, connecting, and running. Past it the query is cancelled
   * (taken off the queue, or a cancel request sent) and fails at once with
   * QueryDeadlineError, even if the network hangs. None by default.
   */
  queryTimeoutSeconds?: number;
}

/** One pool for the process: drizzle for queries, the raw postgres.js client for LISTEN and bulk work. */
export function connect(url: string, options: ConnectOptions = {}): DbHandle {
  const raw = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'standardized-patient' },
    backoff: reconnectDelaySeconds,
    ...(options.connectTimeoutSeconds !== undefined && { connect_timeout: options.connectTimeoutSeconds }),
  });
  const deadlineMs = options.queryTimeoutSeconds === undefined ? null : options.queryTimeoutSeconds * 1000;
  const sql = deadlineMs === null ? raw : withDeadlines(raw, deadlineMs);
  const db = drizzle(withNamedStatements(sql), { schema });
  return { db, sql, close: () => raw.end({ timeout: 5 }) };
}

/**
 * How long a pool connection waits before connecting again after failed
 * attempts. postgres.js's default grows with every failure in the pool, up to
 * 20 s: after an outage of some minutes, fresh queries waited that long for a
 * database that was already back. Capped at half a second, recovery is prompt.
 */
export const RECONNECT_DELAY_MAX_SECONDS = 0.5;
const reconnectDelaySeconds = (failures: number) => Math.min(RECONNECT_DELAY_MAX_SECONDS, 0.01 * 2 ** failures);

/** A query that ran past its connection's `queryTimeoutSeconds`. */
export class QueryDeadlineError extends Error {
  readonly code = 'QUERY_DEADLINE';
  constructor(ms: number) {
    super(`the query did not finish within ${ms} ms`);
    this.name = 'QueryDeadlineError';
  }
}

/** What postgres.js's pending query exposes beyond the promise (query.js). */
interface PendingInternals {
  cancel(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

function withDeadline<Q>(query: Q, ms: number): Q {
  const pending = query as unknown as PendingInternals;
  if (typeof pending?.cancel !== 'function' || typeof pending.reject !== 'function') return query;
  const { resolve, reject } = pending;
  const timer = setTimeout(() => {
    Promise.resolve(pending.cancel()).catch(() => {});
    reject(new QueryDeadlineError(ms));
  }, ms);
  timer.unref();
  pending.resolve = (value) => {
    clearTimeout(timer);
    resolve(value);
  };
  pending.reject = (error) => {
    clearTimeout(timer);
    reject(error);
  };
  return query;
}

/** Every query of this client (tagged, `unsafe`, in transactions) gets the deadline. */
function withDeadlines<T extends Scoped & object>(sql: T, ms: number): T {
  const unsafe = sql.unsafe.bind(sql) as Unsafe;
  sql.unsafe = ((...args: Parameters<Unsafe>) => withDeadline(unsafe(...args), ms)) as Unsafe;
  for (const scope of ['begin', 'savepoint'] as const) {
    const open = sql[scope];
    if (typeof open !== 'function') continue;
    sql[scope] = (...args: unknown[]) => {
      const body = args.pop() as (scoped: Scoped) => unknown;
      return open.call(sql, ...args, (scoped: Scoped & object) => body(withDeadlines(scoped, ms)));
    };
  }
  // Tagged-template queries (`sql\`select ...\``) are calls of the client itself.
  return new Proxy(sql, {
    apply: (target, self, args) =>
      withDeadline(Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args), ms),
  });
}

/** Postgres SQLSTATEs and postgres.js codes that mean "the database cannot serve us right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'QUERY_DEADLINE',
  SQLSTATE.queryCanceled, // our own deadline's cancel request
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
]);

/** Is this error (or one it was caused by) the database being unreachable, down, or past a deadline? */
export function isDatabaseUnavailable(error: unknown): boolean {
  return codedErrors(error).some(({ code }) => UNAVAILABLE_CODES.has(code) || code.startsWith('08'));
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
