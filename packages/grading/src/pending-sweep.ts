/**
 * Sessions that never start: a pg-boss schedule sweeps, every minute, the
 * pending sessions nobody joined within the pending timeout and ends them
 * `pending_timeout` (not graded, not an attempt). The API also ends such a
 * session the moment it reads one, so the sweep is what frees sessions nobody
 * asks about (the study assistant's assessment lock, the next initialize).
 */
import { type Database, expirePendingSessions, QUEUE_SCHEMA, type Session } from '@sp/db';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import { queueConnection, sqlOf } from './consumer.js';

export const PENDING_SWEEP_QUEUE = 'pending-sweep';
/** Every minute (pg-boss's finest cron). */
export const PENDING_SWEEP_CRON = '* * * * *';

export interface PendingSweepDeps {
  db: Database;
  sql?: Sql;
  /** PENDING_TIMEOUT_SECONDS. */
  timeoutSeconds: number;
  logger: Logger;
  cron?: string;
  /** Called with the sessions each sweep ended (the API closes their rooms). */
  onExpired?: (ended: Session[]) => Promise<void> | void;
  now?: () => Date;
  /** How often the worker looks for the scheduled job (tests: less). */
  pollSeconds?: number;
}

export interface PendingSweep {
  /** Sweeps once now, outside the schedule; resolves with the sessions it ended. */
  sweep(): Promise<Session[]>;
  stop(): Promise<void>;
}

export async function startPendingSweep(deps: PendingSweepDeps): Promise<PendingSweep> {
  const logger = deps.logger.child({ component: 'pending-sweep' });
  const now = deps.now ?? (() => new Date());
  const boss = new PgBoss({
    db: queueConnection(deps.sql ?? sqlOf(deps.db)),
    schema: QUEUE_SCHEMA,
    migrate: false,
    supervise: false,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'queue error'));
  await boss.start();
  if (!(await boss.getQueue(PENDING_SWEEP_QUEUE))) {
    await boss.createQueue(PENDING_SWEEP_QUEUE, { name: PENDING_SWEEP_QUEUE, policy: 'singleton' });
  }

  async function sweep(): Promise<Session[]> {
    const ended = await expirePendingSessions(deps.db, new Date(now().getTime() - deps.timeoutSeconds * 1000));
    if (ended.length > 0) {
      logger.info({ sessions: ended.map((s) => s.id) }, 'pending sessions nobody joined ended: pending_timeout');
      await deps.onExpired?.(ended);
    }
    return ended;
  }

  await boss.schedule(PENDING_SWEEP_QUEUE, deps.cron ?? PENDING_SWEEP_CRON);
  await boss.work(PENDING_SWEEP_QUEUE, { pollingIntervalSeconds: deps.pollSeconds ?? 5 }, async () => {
    await sweep();
  });

  return {
    sweep,
    async stop() {
      await boss.offWork(PENDING_SWEEP_QUEUE);
      await boss.stop({ graceful: true, wait: true, timeout: 1_000 });
    },
  };
}
