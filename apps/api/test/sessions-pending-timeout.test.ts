/**
 * Sessions that never start: a pending session nobody joined within
 * PENDING_TIMEOUT_SECONDS ends `pending_timeout` when the API reads it. It is
 * not graded, is no attempt, and frees the case for a new session. A resume of
 * a session that never connected counts no reconnect.
 */
import { gradeReports, openSegment, sessions } from '@sp/db';
import { insertCaseStudy } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, gradingJobs, send, studentOf } from './support.js';

const TIMEOUT = 120;
let clock = new Date();
const test = await buildTestApp({ now: () => clock, env: { PENDING_TIMEOUT_SECONDS: String(TIMEOUT) } });
const later = (seconds: number) => {
  clock = new Date(Date.now() + seconds * 1000);
};
const rowOf = async (id: string) => (await test.db.db.select().from(sessions).where(eq(sessions.id, id)))[0];

async function started(maxAttempts = 3) {
  clock = new Date();
  const cs = await insertCaseStudy(test.db.db, test.tenant.id, { maxAttempts });
  const student = await studentOf(test);
  const { status, body } = await student.initialize({ content_id: cs.id });
  expect(status).toBe(200);
  return { cs, student, id: body.data.session.id as string, roomName: body.data.room_name as string };
}

describe('a session nobody joins', () => {
  it('ends pending_timeout on read once the timeout has passed, ungraded, its room closed', async () => {
    const { student, id, roomName } = await started();
    later(TIMEOUT - 5);
    expect((await student.get(`/v1/sessions/${id}`)).body.data.status).toBe('pending');

    later(TIMEOUT + 1);
    const { body } = await student.get(`/v1/sessions/${id}`);

    expect(body.data).toMatchObject({ status: 'ended', is_active: false, end_reason: 'pending_timeout' });
    expect(body.data.duration_seconds).toBeNull();
    expect(await rowOf(id)).toMatchObject({ gradingStatus: 'not_started' });
    expect(await gradingJobs(test.db, id)).toHaveLength(0);
    expect(await test.db.db.select().from(gradeReports).where(eq(gradeReports.sessionId, id))).toEqual([]);
    expect(test.livekit.rooms.has(roomName)).toBe(false);
  });

  it('no longer blocks a new session, and is not counted as an attempt', async () => {
    const { cs, student, id } = await started(1);
    later(5);
    const blocked = await student.initialize({ content_id: cs.id });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.details.session_id).toBe(id);

    later(TIMEOUT + 1);
    const fresh = await student.initialize({ content_id: cs.id });

    expect(fresh.status).toBe(200);
    expect(fresh.body.data.session.id).not.toBe(id);
    expect(await rowOf(id)).toMatchObject({ status: 'ended', endReason: 'pending_timeout' });
    // max_attempts is 1: the first session was no attempt, the second is.
    clock = new Date();
    expect((await student.end(fresh.body.data.session.id)).body.data.end_reason).toBe('user_ended');
    const third = await student.initialize({ content_id: cs.id });
    expect(third.status).toBe(422);
    expect(third.body.error.details).toEqual({ attempt_count: 1, max_attempts: 1 });
  });

  it('answers 410 SESSION_PENDING_TIMEOUT to a resume, an end or a text turn after the timeout', async () => {
    for (const act of ['resume', 'end', 'text'] as const) {
      const { cs, student, id } = await started();
      later(TIMEOUT + 1);
      const answer =
        act === 'resume'
          ? await student.initialize({ content_id: cs.id, session_id: id })
          : act === 'end'
            ? await student.end(id)
            : await send(test.app, 'POST', `/v1/sessions/${id}/messages`, {
                token: student.token,
                json: { body: 'Hello?' },
              });
      expect(answer.status, act).toBe(410);
      expect(answer.body.error.code, act).toBe('SESSION_PENDING_TIMEOUT');
      expect(await gradingJobs(test.db, id)).toHaveLength(0);
    }
  });

  it('lists a timed-out session as ended', async () => {
    const { cs, student, id } = await started();
    later(TIMEOUT + 1);
    const { body } = await student.get(`/v1/sessions?content_id=${cs.id}`);
    expect(body.data).toMatchObject([{ id, status: 'ended', end_reason: 'pending_timeout' }]);
  });

  it('keeps a session the student joined, however long ago it was created', async () => {
    const { student, id, roomName } = await started();
    await openSegment(test.db.db, { sessionId: id, roomName });
    later(TIMEOUT + 60);
    const { body } = await student.get(`/v1/sessions/${id}`);
    expect(body.data.status).toBe('active');
  });
});

describe('a resume of a session that never connected', () => {
  it('counts no reconnect, and restarts the pending timeout from the new room', async () => {
    const { cs, student, id } = await started();
    later(TIMEOUT - 10);

    const resumed = await student.initialize({ content_id: cs.id, session_id: id });

    expect(resumed.status).toBe(200);
    expect(resumed.body.data.session).toMatchObject({ reconnect_count: 0, reconnects_remaining: 2, status: 'pending' });
    const again = await student.initialize({ content_id: cs.id, session_id: id });
    const thrice = await student.initialize({ content_id: cs.id, session_id: id });
    expect(thrice.status).toBe(200);
    expect(again.body.data.session.reconnect_count).toBe(0);

    // The pending timeout now runs from the latest room (opened at real time, i.e. just now).
    later(TIMEOUT - 5);
    expect((await student.get(`/v1/sessions/${id}`)).body.data.status).toBe('pending');
  });

  it('counts a reconnect once the student had connected', async () => {
    const { cs, student, id, roomName } = await started();
    await openSegment(test.db.db, { sessionId: id, roomName });

    const resumed = await student.initialize({ content_id: cs.id, session_id: id });

    expect(resumed.body.data.session).toMatchObject({ reconnect_count: 1, reconnects_remaining: 1 });
  });
});
