import { gradeReports, QUEUE_SCHEMA, sessions } from '@sp/db';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PENDING_SWEEP_CRON, PENDING_SWEEP_QUEUE, queueConnection, startPendingSweep } from '../src/index.js';

const test = await createTestDatabase({ max: 6 });
const logger = pino({ level: 'silent' });
const TIMEOUT = 60;
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);

async function pendingSession(roomOpenedAt: Date, fields: Partial<typeof sessions.$inferInsert> = {}) {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id, roomOpenedAt, ...fields });
}

const rowOf = async (id: string) => (await test.db.select().from(sessions).where(eq(sessions.id, id)))[0];

const closedRooms: string[] = [];
const sweep = await startPendingSweep({
  db: test.db,
  sql: test.sql,
  timeoutSeconds: TIMEOUT,
  logger,
  pollSeconds: 0.5,
  onExpired: (ended) => {
    closedRooms.push(...ended.map((s) => s.roomName));
  },
});
afterAll(() => sweep.stop());

describe('the pending-timeout sweep', () => {
  it('ends only pending sessions nobody joined within the timeout, ungraded', async () => {
    const stale = await pendingSession(ago(TIMEOUT + 5));
    const fresh = await pendingSession(ago(TIMEOUT - 20));
    const started = await pendingSession(ago(TIMEOUT + 5), { status: 'active', startTime: ago(TIMEOUT) });

    const ended = await sweep.sweep();

    expect(ended.map((s) => s.id)).toContain(stale.id);
    expect(await rowOf(stale.id)).toMatchObject({
      status: 'ended',
      isActive: false,
      endReason: 'pending_timeout',
      gradingStatus: 'not_started',
      startTime: null,
    });
    expect(await rowOf(fresh.id)).toMatchObject({ status: 'pending', endReason: null });
    expect(await rowOf(started.id)).toMatchObject({ status: 'active', endReason: null });
    expect(await test.db.select().from(gradeReports).where(eq(gradeReports.sessionId, stale.id))).toEqual([]);
    const jobs = await test.sql`select id from pgboss.job where name = 'grading' and data->>'sessionId' = ${stale.id}`;
    expect(jobs).toHaveLength(0);
    expect(closedRooms).toContain(stale.roomName);
  });

  it('is a pg-boss schedule every minute, and its job sweeps', async () => {
    const [schedule] = await test.sql`select name, cron from pgboss.schedule where name = ${PENDING_SWEEP_QUEUE}`;
    expect(schedule).toEqual({ name: PENDING_SWEEP_QUEUE, cron: PENDING_SWEEP_CRON });

    const stale = await pendingSession(ago(TIMEOUT + 1));
    // What the cron monitor sends each minute, sent now.
    const boss = new PgBoss({
      db: queueConnection(test.sql),
      schema: QUEUE_SCHEMA,
      migrate: false,
      supervise: false,
      schedule: false,
    });
    boss.on('error', () => {});
    await boss.start();
    await boss.send(PENDING_SWEEP_QUEUE, {});
    await boss.stop({ graceful: false, wait: true });

    const deadline = Date.now() + 10_000;
    while ((await rowOf(stale.id))?.status !== 'ended' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await rowOf(stale.id)).toMatchObject({ status: 'ended', endReason: 'pending_timeout' });
  });
});
