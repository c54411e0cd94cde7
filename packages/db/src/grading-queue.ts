/**
 * The Postgres-backed queue that carries grading jobs (pg-boss, in the same
 * database). A job is enqueued in the very transaction that ends the session,
 * so it exists exactly when the session ended, never twice.
 *
 * Kept in @sp/db with the report reset (`enqueueReport`, session-ending.ts) although grading owns
 * them: the ending transaction that the API and the worker share writes both, and @sp/grading
 * depends on @sp/db, so moving them there would be a cycle (or pull grading into the worker).
 */
import { type SQL, sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import type { Database } from './client.js';

export const GRADING_QUEUE = 'grading';
export const QUEUE_SCHEMA = 'pgboss';

export interface GradingJob {
  sessionId: string;
}

/** Retry policy of the grading queue: provider hiccups back off exponentially. */
export const gradingRetry = { retryLimit: 4, retryDelay: 2, retryBackoff: true } as const;

/** Anything that runs drizzle SQL: the database or a transaction. */
export type Executor = Pick<Database, 'execute'>;

/** Rewrites pg-boss's `$1`-style statement as a drizzle SQL object with bound parameters. */
function positional(text: string, values: unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const match of text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(text.slice(last, match.index)));
    // drizzle drops an undefined parameter entirely; SQL wants NULL there.
    const value = values[Number(match[1]) - 1] ?? null;
    const bound =
      value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
    chunks.push(sql`${bound}`);
    last = match.index + match[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}

/** pg-boss speaks to the database through this adapter, so its SQL joins our transactions. */
export function bossDb(executor: Executor): PgBoss.Db {
  return {
    async executeSql(text, values = []) {
      const rows = await executor.execute(positional(text, values));
      return { rows: [...rows] };
    },
  };
}

/** A pg-boss instance that only writes jobs through the caller's connection; it never polls. */
const sender = new PgBoss({ db: { executeSql: async () => ({ rows: [] }) }, schema: QUEUE_SCHEMA });

export async function enqueueGrading(executor: Executor, sessionId: string): Promise<string> {
  const id = await sender.send(GRADING_QUEUE, { sessionId } satisfies GradingJob, {
    db: bossDb(executor),
    ...gradingRetry,
  });
  if (!id) throw new Error(`grading job for session ${sessionId} was not enqueued`);
  return id;
}

/** Creates pg-boss's schema and the grading queue; safe to run again. */
export async function installQueue(db: Database): Promise<void> {
  const boss = new PgBoss({ db: bossDb(db), schema: QUEUE_SCHEMA, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  if (!(await boss.getQueue(GRADING_QUEUE))) {
    await boss.createQueue(GRADING_QUEUE, { name: GRADING_QUEUE, policy: 'standard', ...gradingRetry });
  }
  await boss.stop({ graceful: false, wait: true });
}
