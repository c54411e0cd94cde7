/**
 * One grading job, whoever runs it: claim the report (or leave it to whoever
 * holds it), read the transcript, grade, store the outcome.
 */
import type { Database } from '@sp/db';
import type { ModelProvider } from '@sp/models';
import type { Logger } from 'pino';
import type { GradingConfig } from './config.js';
import { gradeSession } from './grade-session.js';
import { claimReport, finishReport, loadGradingInput, recordAttempt, releaseReport } from './report-store.js';

export interface GradingJobDeps {
  db: Database;
  config: GradingConfig;
  provider: ModelProvider;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export type JobResult = 'completed' | 'failed' | 'skipped';

export async function runGradingJob(
  deps: GradingJobDeps,
  sessionId: string,
  queue: { lastTry: boolean },
): Promise<JobResult> {
  const { db, config } = deps;
  let log = deps.logger.child({ session_id: sessionId });
  const claimed = await claimReport(db, sessionId, config.GRADING_LEASE_SECONDS);
  if (!claimed) {
    log.info('report already graded or being graded; nothing to do');
    return 'skipped';
  }
  log = log.child({ tenant_id: claimed.tenantId });
  try {
    const input = await loadGradingInput(db, sessionId);
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
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error({ err: error, last_try: queue.lastTry }, 'grading job crashed; the queue will retry it');
    await releaseReport(db, sessionId, message, queue.lastTry).catch((e) =>
      log.error({ err: e }, 'could not release the report; its lease will expire'),
    );
    throw error;
  }
}
