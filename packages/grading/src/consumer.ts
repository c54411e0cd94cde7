/**
 * The grading consumer: pg-boss workers on the `grading` queue, inside the API
 * process or on their own (`pnpm --filter @sp/api jobs`). GRADING_CONCURRENCY
 * workers each take one job at a time; a busy worker fetches its next job at
 * once, an idle one polls every GRADING_POLL_SECONDS. Any number of consumers
 * may run: pg-boss hands a job to one worker, and the report claim makes a
 * duplicate job a no-op.
 */
import { type Database, GRADING_QUEUE, QUEUE_SCHEMA, type Sql } from '@sp/db';
import { describeProvider, type ModelProvider, modelProvider } from '@sp/models';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { GradingConfig } from './config.js';
import { runGradingJob } from './grading-job.js';

export interface GradingConsumerDeps {
  db: Database;
  /** The postgres.js client behind `db`; taken from `db` when omitted. */
  sql?: Sql;
  config: GradingConfig;
  logger: Logger;
  /** Defaults to the provider the config describes. */
  provider?: ModelProvider;
}

export interface GradingConsumer {
  /** Stops fetching, lets running jobs finish (up to `timeoutMs`), then returns. */
  stop(timeoutMs?: number): Promise<void>;
}

const jobSchema = z.object({ sessionId: z.uuid() });

/** The postgres.js client a drizzle database was built on. */
export function sqlOf(db: Database): Sql {
  const client = (db as Database & { $client?: Sql }).$client;
  if (!client) throw new Error('this database handle has no postgres.js client; pass `sql`');
  return client;
}

/** pg-boss passes JSON payloads as objects (or arrays of objects); postgres.js wants them as text. */
function queueParameter(value: unknown) {
  if (value === undefined || value === null) return null;
  if (value instanceof Date || Buffer.isBuffer(value) || typeof value !== 'object') return value;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value;
  return JSON.stringify(value);
}

/**
 * pg-boss speaks through our postgres.js pool. Its upkeep (expiring stuck
 * jobs, archiving) sends `BEGIN; …; COMMIT;` scripts, which must hold one
 * connection from start to end: those run on a reserved one.
 */
export function queueConnection(sql: Sql): PgBoss.Db {
  return {
    async executeSql(text, values = []) {
      if (!/^\s*BEGIN\b/i.test(text)) {
        const rows = await sql.unsafe(text, values.map(queueParameter) as never[]);
        return { rows: [...rows] };
      }
      const connection = await sql.reserve();
      try {
        await connection.unsafe(text);
        return { rows: [] };
      } catch (error) {
        await connection.unsafe('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
  };
}

export async function startGradingConsumer(deps: GradingConsumerDeps): Promise<GradingConsumer> {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'grading' });
  const provider = deps.provider ?? modelProvider(config);
  logger.info({ concurrency: config.GRADING_CONCURRENCY }, `grading consumer: ${describeProvider(provider)}`);

  const boss = new PgBoss({
    db: queueConnection(deps.sql ?? sqlOf(deps.db)),
    schema: QUEUE_SCHEMA,
    migrate: false, // the migrations install the queue
    schedule: false,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'queue error'));
  await boss.start();

  const workerIds: string[] = [];
  for (let i = 0; i < config.GRADING_CONCURRENCY; i++) {
    let workerId: string | undefined;
    workerId = await boss.work<{ sessionId?: unknown }>(
      GRADING_QUEUE,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.GRADING_POLL_SECONDS },
      async ([job]) => {
        try {
          if (!job) return;
          const data = jobSchema.safeParse(job.data);
          if (!data.success) {
            logger.error({ job_id: job.id, data: job.data }, 'grading job without a valid sessionId; dropped');
            return { result: 'dropped' };
          }
          const lastTry = job.retryCount >= job.retryLimit;
          const result = await runGradingJob({ ...deps, provider, logger }, data.data.sessionId, { lastTry });
          return { result };
        } finally {
          // A worker that just finished a job looks for the next one at once instead of sleeping.
          if (workerId) boss.notifyWorker(workerId);
        }
      },
    );
    workerIds.push(workerId);
  }

  return {
    async stop(timeoutMs = 30_000) {
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}
