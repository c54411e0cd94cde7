import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { endSession, gradeReports, sessions } from '../src/index.js';

const test = await createTestDatabase({ max: 12 });

async function gradingJobs(sessionId: string) {
  return test.sql`select id, state from pgboss.job where name = 'grading' and data->>'sessionId' = ${sessionId}`;
}

async function activeSession(fields: Partial<typeof sessions.$inferInsert> = {}) {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return insertSession(test.db, {
    tenantId: tenant.id,
    userId: 'student',
    contentId: cs.id,
    status: 'active',
    ...fields,
  });
}

describe('endSession', () => {
  it('ends the session once, creates its report row and enqueues one grading job', async () => {
    const session = await activeSession({ elapsedActiveTime: 42 });

    const outcome = await endSession(test.db, session.id, 'user_ended');

    expect(outcome.ended).toBe(true);
    expect(outcome.session).toMatchObject({
      status: 'ended',
      isActive: false,
      endReason: 'user_ended',
      elapsedActiveTime: 42,
    });
    expect(outcome.session?.endTime).toBeInstanceOf(Date);
    const reports = await test.db.select().from(gradeReports).where(eq(gradeReports.sessionId, session.id));
    expect(reports.map((r) => r.status)).toEqual(['pending']);
    expect(await gradingJobs(session.id)).toHaveLength(1);
  });

  it('lets exactly one of many racing endings win, with one end reason and one job', async () => {
    const session = await activeSession();
    const reasons = ['user_ended', 'timer_expired', 'reconnect_exceeded', 'conversation_ttl_exceeded'] as const;

    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        endSession(test.db, session.id, reasons[i % reasons.length] ?? 'user_ended'),
      ),
    );

    const winners = outcomes.filter((o) => o.ended);
    expect(winners).toHaveLength(1);
    const [row] = await test.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row?.endReason).toBe(winners[0]?.session?.endReason);
    expect(outcomes.filter((o) => !o.ended).every((o) => o.session?.endReason === row?.endReason)).toBe(true);
    expect(await gradingJobs(session.id)).toHaveLength(1);
  });

  it('counts the running segment into the elapsed time when the student is still connected', async () => {
    const session = await activeSession({
      segmentBase: 100,
      elapsedActiveTime: 128,
      connectedSince: new Date(Date.now() - 30_000),
      lastActivity: new Date(Date.now() - 2_000),
    });

    const outcome = await endSession(test.db, session.id, 'user_ended');

    expect(outcome.session?.elapsedActiveTime).toBeGreaterThanOrEqual(129.5);
    expect(outcome.session?.elapsedActiveTime).toBeLessThan(135);
    expect(outcome.session?.connectedSince).toBeNull();
  });

  it('stops counting a segment whose heartbeats went stale (the worker died)', async () => {
    const session = await activeSession({
      segmentBase: 100,
      elapsedActiveTime: 140,
      connectedSince: new Date(Date.now() - 3_600_000),
      lastActivity: new Date(Date.now() - 3_600_000 + 40_000),
    });
    const outcome = await endSession(test.db, session.id, 'user_ended');
    expect(outcome.session?.elapsedActiveTime).toBeCloseTo(155, 3);
  });

  it('never reports more active time than the limit', async () => {
    const session = await activeSession({
      durationLimit: 60,
      segmentBase: 50,
      connectedSince: new Date(Date.now() - 120_000),
    });
    const outcome = await endSession(test.db, session.id, 'timer_expired');
    expect(outcome.session?.elapsedActiveTime).toBe(60);
  });

  it('reports an unknown session as not ended and enqueues nothing', async () => {
    const outcome = await endSession(test.db, '00000000-0000-4000-8000-0000000000ff', 'user_ended');
    expect(outcome).toEqual({ ended: false, session: null });
    const [{ n } = { n: -1 }] =
      await test.sql`select count(*)::int as n from grade_reports where session_id = '00000000-0000-4000-8000-0000000000ff'`;
    expect(n).toBe(0);
  });
});
