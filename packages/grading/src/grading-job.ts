/**
 * One grading job, whoever runs it: claim the report, keep its lease alive
 * while grading, store the outcome. A report someone else is grading makes the
 * job throw, so the queue tries it again later instead of dropping it; only a
 * completed or failed report makes a job a no-op. A job gets one lease of time:
 * past it, it gives the report back, which keeps the queue's expiry (twice the
 * lease) the last word on a consumer that died.
 */
import type { Database } from '@sp/db';
import type { ModelProvider } from '@sp/models';
import type { Logger } from 'pino';
import type { GradingConfig } from './config.js';
import { gradeSession } from './grade-session.js';
import {
  claimReport,
  finishReport,
  handBackReport,
  loadGradingInput,
  recordAttempt,
  releaseReport,
  renewLease,
} from './report-store.js';

export interface GradingJobDeps {
  db: Database;
  config: GradingConfig;
  provider: ModelProvider;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export interface QueueContext {
  /** The queue will not retry this job if it fails. */
  lastTry: boolean;
  /** Aborted with `ConsumerStopping` when the consumer stops before the job is done. */
  signal?: AbortSignal;
}

export type JobResult = 'completed' | 'failed' | 'skipped';

/** Thrown while another consumer holds the report's lease: the queue retries the job later. */
export class ReportBusy extends Error {
  constructor(sessionId: string) {
    super(`the report of session ${sessionId} is being graded by another consumer; retrying later`);
    this.name = 'ReportBusy';
  }
}

/** The reason a job is aborted when it has taken a whole lease. */
class TimeLimitExceeded extends Error {}

/** The reason a job is aborted when its consumer stops. */
export class ConsumerStopping extends Error {
  constructor() {
    super('the grading consumer is stopping');
    this.name = 'ConsumerStopping';
  }
}

/** The reason, not the statement: drizzle wraps a database error (its message holds the SQL and its values). */
function describeCrash(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

export async function runGradingJob(deps: GradingJobDeps, sessionId: string, queue: QueueContext): Promise<JobResult> {
  const { db, config } = deps;
  let log = deps.logger.child({ session_id: sessionId });
  // The transcript is read while the report is claimed (one round trip off every job; wasted only when the
  // claim fails). It is awaited inside the claimed part below, so a failed read releases the report.
  const reading = loadGradingInput(db, sessionId);
  reading.catch(() => {});
  const claim = await claimReport(db, sessionId, config.GRADING_LEASE_SECONDS);
  if (claim.outcome === 'done' || claim.outcome === 'missing') {
    log.info({ report: claim.outcome === 'done' ? claim.status : 'missing' }, 'report already graded; nothing to do');
    return 'skipped';
  }
  if (claim.outcome === 'busy') {
    log.info({ last_try: queue.lastTry }, 'report is being graded by another consumer; the queue will retry this job');
    throw new ReportBusy(sessionId);
  }
  log = log.child({ tenant_id: claim.tenantId });

  // One abort for both ways a job is cut short: its time limit and its consumer stopping.
  const leaseMs = config.GRADING_LEASE_SECONDS * 1000;
  const cut = new AbortController();
  const overTime = setTimeout(() => cut.abort(new TimeLimitExceeded()), config.GRADING_TIME_LIMIT_SECONDS * 1000);
  const stopping = () => cut.abort(queue.signal?.reason);
  queue.signal?.addEventListener('abort', stopping, { once: true });
  if (queue.signal?.aborted) stopping();
  const renewal = setInterval(() => {
    renewLease(db, sessionId).catch((error) => log.warn({ err: error }, 'could not renew the report lease'));
  }, leaseMs / 3);
  try {
    return await gradeClaimed({ ...deps, logger: log }, sessionId, reading, cut.signal);
  } catch (error) {
    if (queue.signal?.aborted && queue.signal.reason instanceof ConsumerStopping) {
      log.warn({ last_try: queue.lastTry }, 'consumer stopping: report handed back for grading later');
      await handBackReport(db, sessionId, queue.lastTry).catch((e) =>
        log.error({ err: e }, 'could not hand the report back; its lease will expire'),
      );
      throw error;
    }
    const message =
      cut.signal.reason instanceof TimeLimitExceeded
        ? `grading took longer than its time limit (${config.GRADING_TIME_LIMIT_SECONDS} s)`
        : describeCrash(error);
    log.error({ err: error, last_try: queue.lastTry }, 'grading job crashed; the queue will retry it');
    await releaseReport(db, sessionId, message, queue.lastTry).catch((e) =>
      log.error({ err: e }, 'could not release the report; its lease will expire'),
    );
    throw error;
  } finally {
    clearTimeout(overTime);
    clearInterval(renewal);
    queue.signal?.removeEventListener('abort', stopping);
  }
}

/** Grades a report this job holds and stores the outcome. */
async function gradeClaimed(
  deps: GradingJobDeps,
  sessionId: string,
  reading: ReturnType<typeof loadGradingInput>,
  signal: AbortSignal,
) {
  const { db, config, logger: log } = deps;
  const input = await reading;
  const outcome = input
    ? await gradeSession(input, {
        provider: deps.provider,
        retry: {
          maxAttempts: config.GRADING_MAX_ATTEMPTS,
          baseDelayMs: config.GRADING_RETRY_DELAY_MS,
          maxDelayMs: config.GRADING_RETRY_MAX_DELAY_MS,
        },
        onAttempt: () => recordAttempt(db, sessionId),
        log,
        sleep: deps.sleep,
        signal,
      })
    : ({
        status: 'failed',
        error: 'the session or its case study no longer exists',
        grader: deps.provider.configured ? 'model' : 'heuristic',
        model: null,
      } as const);
  const row = await finishReport(db, sessionId, outcome);
  if (outcome.status === 'completed') {
    log.info(
      { score: outcome.result.score, grader: outcome.result.grader, attempts: row?.attempts },
      'report completed',
    );
  } else {
    log.warn({ err: outcome.error, attempts: row?.attempts }, 'report failed');
  }
  return outcome.status;
}
