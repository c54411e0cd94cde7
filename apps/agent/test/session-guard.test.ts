import { caseStudies, endSession, recordPublishedVersion, sessionMessages, sessions } from '@sp/db';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { admitStudent } from '../src/session-guard.js';
import { startTestJob, studentOf } from './support/patient-harness.js';

const test = await createTestDatabase();

async function newSession(fields: Partial<typeof sessions.$inferInsert> = {}) {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id, ...fields });
}

/** Everything a job could write about a session. */
async function snapshot(sessionId: string) {
  const [row] = await test.db.select().from(sessions).where(eq(sessions.id, sessionId));
  const turns = await test.db.select().from(sessionMessages).where(eq(sessionMessages.sessionId, sessionId));
  const [{ jobs } = { jobs: -1 }] =
    await test.sql`select count(*)::int as jobs from pgboss.job where data->>'sessionId' = ${sessionId}`;
  return { row, turns, jobs };
}

describe('the session guard', () => {
  it('plays the case as the version the session pinned, not as published since', async () => {
    const session = await newSession({ status: 'active' });
    const [pinned] = await test.db.select().from(caseStudies).where(eq(caseStudies.id, session.contentId));
    const [edited] = await test.db
      .update(caseStudies)
      .set({ persona: { ...pinned!.persona, name: 'Someone Else' }, instructions: 'A new direction.' })
      .where(eq(caseStudies.id, session.contentId))
      .returning();
    expect((await recordPublishedVersion(test.db, edited!, 'author')).number).toBe(2);

    const admission = await admitStudent(test.db, studentOf(session), session.roomName);

    expect(admission).toMatchObject({ admitted: true });
    if (!admission.admitted) throw new Error('not admitted');
    expect(admission.caseStudy.persona.name).toBe(pinned!.persona.name);
    expect(admission.caseStudy.instructions).toBe(pinned!.instructions);
  });

  it("refuses a student whose attributes name another user's session, and writes nothing", async () => {
    const session = await newSession();
    const before = await snapshot(session.id);

    const { job, fake } = await startTestJob(test.db, session, {
      student: studentOf(session, { user_id: 'someone-else' }),
    });

    expect(job).toEqual({ kind: 'refused', reason: 'session belongs to another user' });
    expect(fake.shutdowns).toEqual(['session belongs to another user']);
    expect(await snapshot(session.id)).toEqual(before);
  });

  it('refuses a student from another tenant', async () => {
    const session = await newSession();
    const other = await insertTenant(test.db);
    const before = await snapshot(session.id);

    const { job, fake } = await startTestJob(test.db, session, {
      student: studentOf(session, { tenant_id: other.id }),
    });

    expect(job).toMatchObject({ kind: 'refused', reason: 'session belongs to another tenant' });
    expect(fake.shutdowns).toHaveLength(1);
    expect(await snapshot(session.id)).toEqual(before);
  });

  it('refuses a session that has already ended', async () => {
    const session = await newSession({ status: 'active' });
    await endSession(test.db, session.id, 'user_ended');
    const before = await snapshot(session.id);

    const { job, fake } = await startTestJob(test.db, session);

    expect(job).toEqual({ kind: 'refused', reason: 'session has ended (user_ended)' });
    expect(fake.shutdowns).toEqual(['session has ended (user_ended)']);
    expect(await snapshot(session.id)).toEqual(before);
  });

  it('refuses attributes naming another case study', async () => {
    const session = await newSession();
    const otherCase = await insertCaseStudy(test.db, session.tenantId);
    const before = await snapshot(session.id);

    const { job } = await startTestJob(test.db, session, {
      student: studentOf(session, { case_study_id: otherCase.id }),
    });

    expect(job).toMatchObject({ kind: 'refused', reason: 'session is for another case study' });
    expect(await snapshot(session.id)).toEqual(before);
  });

  it("refuses a room that is not the session's current room (the student has resumed elsewhere)", async () => {
    const session = await newSession({ status: 'active', reconnectCount: 1 });
    const before = await snapshot(session.id);

    const { job } = await startTestJob(test.db, session, { roomName: 'mind-0123456789ab' });

    expect(job).toMatchObject({ kind: 'refused', reason: "room is not the session's current room" });
    expect(await snapshot(session.id)).toEqual(before);
  });

  it('refuses malformed attributes and an unknown session', async () => {
    const session = await newSession();
    const before = await snapshot(session.id);

    const malformed = await startTestJob(test.db, session, { student: studentOf(session, { session_id: 'nope' }) });
    const unknown = await startTestJob(test.db, session, {
      student: studentOf(session, { session_id: '00000000-0000-4000-8000-00000000beef' }),
    });

    expect(malformed.job).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/session_id/) });
    expect(unknown.job).toEqual({ kind: 'refused', reason: 'no such session' });
    expect(await snapshot(session.id)).toEqual(before);
  });

  it('refuses a session that continues on the text channel', async () => {
    const session = await newSession({ status: 'active', channel: 'text' });
    const before = await snapshot(session.id);

    const { job, fake } = await startTestJob(test.db, session);

    expect(job).toEqual({ kind: 'refused', reason: 'session continues by text; a resume brings it back to voice' });
    expect(fake.shutdowns).toHaveLength(1);
    expect(await snapshot(session.id)).toEqual(before);
  });

  it('refuses a session whose active time is used up', async () => {
    const session = await newSession({ status: 'active', durationLimit: 60, elapsedActiveTime: 60 });
    const before = await snapshot(session.id);

    const { job } = await startTestJob(test.db, session);

    expect(job).toMatchObject({ kind: 'refused', reason: 'session has no active time left' });
    expect(await snapshot(session.id)).toEqual(before);
  });
});
