import { sessions } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, gradingJobs, SESSION_KEYS, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();

async function rowOf(sessionId: string) {
  const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, sessionId));
  return row;
}

async function startedSession(student: Awaited<ReturnType<typeof studentOf>>) {
  const cs = await insertCaseStudy(test.db.db, test.tenant.id);
  const { body } = await student.initialize({ content_id: cs.id });
  return body.data as { session: { id: string }; room_name: string };
}

describe('POST /v1/sessions/{session_id}/end', () => {
  it('ends the session as user_ended, answers the ended session and enqueues one grading job', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      startTime: new Date(Date.now() - 600_000),
      elapsedActiveTime: 510,
      reconnectCount: 1,
    });

    const { status, body } = await student.end(session.id);

    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      message: 'Session ended successfully',
      data: {
        id: session.id,
        user_id: student.caller.userId,
        content_type_id: 'case_study',
        content_id: cs.id,
        conversation_id: null,
        is_active: false,
        end_reason: 'user_ended',
        elapsed_active_time: 510,
        reconnect_count: 1,
        duration_limit: 600,
      },
    });
    expect(Object.keys(body).sort()).toEqual(['data', 'message', 'success']);
    expect(Object.keys(body.data).sort()).toEqual(SESSION_KEYS);
    expect(body.data.status).toBe('ended');
    expect(new Date(body.data.end_time).getTime()).not.toBeNaN();
    expect(await rowOf(session.id)).toMatchObject({ status: 'ended', endReason: 'user_ended', isActive: false });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
  });

  it('closes the LiveKit room of the session', async () => {
    const student = await studentOf(test);
    const started = await startedSession(student);
    expect(test.livekit.rooms.has(started.room_name)).toBe(true);

    await student.end(started.session.id);

    expect(test.livekit.rooms.has(started.room_name)).toBe(false);
    expect(test.livekit.callsTo('DeleteRoom').some((c) => c.body.room === started.room_name)).toBe(true);
  });

  it('ends the session even when its room is already gone', async () => {
    const student = await studentOf(test);
    const started = await startedSession(student);
    test.livekit.rooms.delete(started.room_name);

    const { status, body } = await student.end(started.session.id);

    expect(status).toBe(200);
    expect(body.data.end_reason).toBe('user_ended');
    // LiveKit was asked and said the room does not exist (liveKitRooms reads that as `gone`: sessions-livekit.test.ts).
    const deletes = test.livekit.callsTo('DeleteRoom').filter((c) => c.body.room === started.room_name);
    expect(deletes.map((c) => c.status)).toEqual([404]);
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(1);
  });

  it('still ends the session and enqueues grading when LiveKit is down', async () => {
    const student = await studentOf(test);
    const started = await startedSession(student);
    test.livekit.setMode('refuse');
    try {
      const { status } = await student.end(started.session.id);
      expect(status).toBe(200);
    } finally {
      test.livekit.setMode('up');
    }
    expect(await rowOf(started.session.id)).toMatchObject({ status: 'ended', endReason: 'user_ended' });
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(1);
  });

  it('answers 410 SESSION_USER_ENDED when the session was already ended, enqueuing nothing more', async () => {
    const student = await studentOf(test);
    const started = await startedSession(student);
    await student.end(started.session.id);

    const { status, body } = await student.end(started.session.id);

    expect(status).toBe(410);
    expect(body).toMatchObject({ success: false, error: { code: 'SESSION_USER_ENDED' } });
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(1);
  });

  it('answers 410 SESSION_TIMER_EXPIRED for a session the timer already ended', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'ended',
      endReason: 'timer_expired',
      isActive: false,
    });

    const { status, body } = await student.end(session.id);

    expect(status).toBe(410);
    expect(body.error.code).toBe('SESSION_TIMER_EXPIRED');
  });

  it("answers 404 NOT_FOUND for another student's session, also to an instructor, and leaves it running", async () => {
    const owner = await studentOf(test);
    const started = await startedSession(owner);
    const other = await studentOf(test);
    const instructor = await tokenFor({ userId: 'teacher', tenantId: test.tenant.id, role: 'instructor' });

    const byStudent = await other.end(started.session.id);
    const byInstructor = await send(test.app, 'POST', `/v1/sessions/${started.session.id}/end`, { token: instructor });

    expect([byStudent.status, byStudent.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect([byInstructor.status, byInstructor.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await rowOf(started.session.id))?.status).toBe('pending');
  });

  it("answers 404 NOT_FOUND for another tenant's session with the same user id", async () => {
    const student = await studentOf(test);
    const otherTenant = await insertTenant(test.db.db);
    const otherCase = await insertCaseStudy(test.db.db, otherTenant.id);
    const foreign = await insertSession(test.db.db, {
      tenantId: otherTenant.id,
      userId: student.caller.userId,
      contentId: otherCase.id,
    });

    const { status, body } = await student.end(foreign.id);

    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('answers 404 NOT_FOUND for an unknown or malformed session id', async () => {
    const student = await studentOf(test);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-session', "1' or '1'='1"]) {
      const { status, body } = await student.end(encodeURIComponent(id));
      expect(status).toBe(404);
      expect(body.error.code).toBe('NOT_FOUND');
    }
  });

  it('records exactly one end reason and one grading job when /end races a failing resume', async () => {
    for (let round = 0; round < 5; round++) {
      const student = await studentOf(test);
      const cs = await insertCaseStudy(test.db.db, test.tenant.id);
      const session = await insertSession(test.db.db, {
        tenantId: test.tenant.id,
        userId: student.caller.userId,
        contentId: cs.id,
        status: 'active',
        startTime: new Date(),
        reconnectCount: 2,
      });

      const [ended, resumed] = await Promise.all([
        student.end(session.id),
        student.initialize({ content_id: cs.id, session_id: session.id }),
      ]);

      const row = await rowOf(session.id);
      expect(row?.status).toBe('ended');
      expect(['user_ended', 'reconnect_exceeded']).toContain(row?.endReason);
      expect(resumed.status).toBe(410);
      if (row?.endReason === 'user_ended') {
        expect(ended.status).toBe(200);
        expect(resumed.body.error.code).toBe('SESSION_USER_ENDED');
      } else {
        expect(ended.status).toBe(410);
        expect(ended.body.error.code).toBe('SESSION_RECONNECT_EXCEEDED');
        expect(resumed.body.error.code).toBe('SESSION_RECONNECT_EXCEEDED');
      }
      expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
    }
  });
});
