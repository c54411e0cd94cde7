/**
 * The grading consumer: pg-boss workers on the `grading` queue, inside the API
 * process or on their own (`pnpm --filter @sp/api jobs`). GRADING_CONCURRENCY
 * workers each take one job at a time; a busy worker fetches its next job at
 * once, an idle one polls every GRADING_POLL_SECONDS. Any number of consumers
 * may run: pg-boss hands a job to one worker, and the report claim makes a
 * duplicate job a no-op (or a retry later, while another consumer grades).
 */
import { type Database, enqueueGrading, GRADING_QUEUE, QUEUE_SCHEMA, type Sql } from '@sp/db';
import { describeProvider, type ModelProvider, modelProvider } from '@sp/models';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type GradingConfig, queueExpirySeconds } from './config.js';
import { ConsumerStopping, runGradingJob } from './grading-job.js';
import { reportsWithLapsedLease } from './report-store.js';

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
  /**
   * Stops fetching and lets running jobs finish for up to `timeoutMs`; the
   * reports of jobs still running then go back to `pending` for the queue's
   * retry. Returns once nothing of the consumer uses the pool, so it may close.
   */
  stop(timeoutMs?: number): Promise<void>;
}

/** How long stopped jobs get to hand their reports back. */
const HAND_BACK_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

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

/** pg-boss's connection; `idle()` resolves once none of its statements is still running. */
export interface QueueConnection extends PgBoss.Db {
  idle(): Promise<void>;
}

/**
 * pg-boss speaks through our postgres.js pool. Its upkeep (expiring stuck
 * jobs, archiving) sends `BEGIN; …; COMMIT;` scripts, which must hold one
 * connection from start to end: those run on a reserved one. pg-boss does not
 * wait for every statement it sends (a job's completion, say), so stopping
 * waits for `idle()` before the pool may close.
 */
export function queueConnection(sql: Sql): QueueConnection {
  const running = new Set<Promise<unknown>>();
  async function execute(text: string, values: unknown[]) {
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
  }
  return {
    executeSql(text, values = []) {
      const statement = execute(text, values);
      running.add(statement);
      statement.then(
        () => running.delete(statement),
        () => running.delete(statement),
      );
      return statement;
    },
    async idle() {
      do {
        // pg-boss sends a job's completion a few promise steps after the handler returns: let those run first.
        await new Promise((resolve) => setImmediate(resolve));
        await Promise.allSettled([...running]);
      } while (running.size);
    },
  };
}

export async function startGradingConsumer(deps: GradingConsumerDeps): Promise<GradingConsumer> {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'grading' });
  const provider = deps.provider ?? modelProvider(config);
  logger.info({ concurrency: config.GRADING_CONCURRENCY }, `grading consumer: ${describeProvider(provider)}`);

  const connection = queueConnection(deps.sql ?? sqlOf(deps.db));
  const boss = new PgBoss({
    db: connection,
    schema: QUEUE_SCHEMA,
    migrate: false, // the migrations install the queue
    schedule: false,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'queue error'));
  await boss.start();
  // Jobs created from now on outlast a job's time limit plus a lease (see queueExpirySeconds).
  await boss.updateQueue(GRADING_QUEUE, { name: GRADING_QUEUE, expireInSeconds: queueExpirySeconds(config) });

  /** Jobs this consumer is handling, by job id. */
  const running = new Map<string, { stop: AbortController; settled: Promise<unknown> }>();
  let stopped: Promise<void> | null = null;

  async function grade(job: PgBoss.JobWithMetadata<{ sessionId?: unknown }>, signal: AbortSignal) {
    const data = jobSchema.safeParse(job.data);
    if (!data.success) {
      logger.error({ job_id: job.id, data: job.data }, 'grading job without a valid sessionId; dropped');
      return 'dropped';
    }
    const { sessionId } = data.data;
    // Fetched as the consumer stops: a new job takes its place, for another consumer.
    if (stopped) {
      await enqueueGrading(deps.db, sessionId);
      return 'handed on';
    }
    const lastTry = job.retryCount >= job.retryLimit;
    return runGradingJob({ ...deps, provider, logger }, sessionId, { lastTry, signal });
  }

  for (let i = 0; i < config.GRADING_CONCURRENCY; i++) {
    let workerId: string | undefined;
    workerId = await boss.work<{ sessionId?: unknown }>(
      GRADING_QUEUE,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.GRADING_POLL_SECONDS },
      async ([job]) => {
        if (!job) return;
        const stop = new AbortController();
        const result = grade(job, stop.signal);
        running.set(job.id, { stop, settled: result.catch(() => {}) });
        try {
          return { result: await result };
        } finally {
          running.delete(job.id);
          // A worker that just finished a job looks for the next one at once instead of sleeping.
          if (workerId && !stopped) boss.notifyWorker(workerId);
        }
      },
    );
  }

  // A consumer that died holding a report stops renewing its lease: every half lease, each such report gets a
  // new job, which takes it over (pg-boss would hand the dead job on only after its expiry, many minutes later).
  const leaseSweep = setInterval(
    () => {
      void takeOverLapsedReports().catch((error) => logger.warn({ err: error }, 'lease sweep failed'));
    },
    Math.max(1, config.GRADING_LEASE_SECONDS / 2) * 1000,
  );
  leaseSweep.unref();
  async function takeOverLapsedReports() {
    for (const sessionId of await reportsWithLapsedLease(deps.db, config.GRADING_LEASE_SECONDS)) {
      logger.warn({ session_id: sessionId }, 'report lease ran out (its consumer died): grading it again');
      await enqueueGrading(deps.db, sessionId);
    }
  }

  /** Resolves once no job is being handled, or after `ms`. */
  async function jobsSettled(ms: number) {
    const deadline = Date.now() + ms;
    while (running.size && Date.now() < deadline) {
      await Promise.race([Promise.all([...running.values()].map((r) => r.settled)), sleep(deadline - Date.now())]);
    }
  }

  async function stopNow(timeoutMs: number) {
    clearInterval(leaseSweep);
    await boss.offWork(GRADING_QUEUE);
    await jobsSettled(timeoutMs);
    if (running.size) {
      logger.warn({ jobs: running.size }, 'grading jobs still running at the stop timeout: handing their reports back');
      for (const job of running.values()) job.stop.abort(new ConsumerStopping());
      await jobsSettled(HAND_BACK_MS);
    }
    // pg-boss fails back whatever is still active (a retry each) …
    await boss.stop({ graceful: true, wait: true, timeout: 1_000 });
    // … and records the outcome of each job (it does not wait for that itself): then nothing is left on the pool.
    await jobsSettled(HAND_BACK_MS);
    await connection.idle();
  }

  return {
    stop(timeoutMs = 30_000) {
      stopped ??= stopNow(timeoutMs);
      return stopped;
    },
  };
}
