import { ROOM_NAME_PATTERN } from '@sp/core';
import { sessionMessages, sessions } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { TokenVerifier } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { liveKitRooms } from '../src/http/livekit.js';
import { buildTestApp, gradingJobs, SESSION_KEYS, studentOf, TRANSCRIPT_ITEM_KEYS } from './support.js';

const test = await buildTestApp({ env: { MAX_RECONNECTS: '2', RECONNECT_WINDOW_SECONDS: '3600' } });

/** The seed's initialize `data` keys, and the token's `expires_at`. */
const INITIALIZE_DATA_KEYS = [
  'duration_limit',
  'elapsed_active_time',
  'expires_at',
  'is_resume',
  'participant_name',
  'participant_token',
  'room_name',
  'server_url',
  'session',
  'transcript',
];

async function newCase(overrides: Parameters<typeof insertCaseStudy>[2] = {}) {
  return insertCaseStudy(test.db.db, test.tenant.id, overrides);
}

async function rowOf(sessionId: string) {
  const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, sessionId));
  return row;
}

/** The LiveKit rooms open now for a session (each room's metadata names its session). */
function openRoomsOf(sessionId: string): string[] {
  return [...test.livekit.rooms.values()]
    .filter((room) => JSON.parse(room.metadata || '{}').session_id === sessionId)
    .map((room) => room.name)
    .sort();
}

describe('POST /v1/sessions/initialize, new session', () => {
  it('creates a pending session and answers with LiveKit connection details', async () => {
    const student = await studentOf(test);
    const cs = await newCase();

    const { status, body } = await student.initialize({ content_id: cs.id });

    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['data', 'message', 'success']);
    expect(body.success).toBe(true);
    expect(body.message).toBe('Session initialized successfully');
    const data = body.data;
    expect(Object.keys(data).sort()).toEqual(INITIALIZE_DATA_KEYS);
    expect(Object.keys(data.session).sort()).toEqual(SESSION_KEYS);
    expect(data.session).toMatchObject({
      user_id: student.caller.userId,
      content_type_id: 'case_study',
      content_id: cs.id,
      conversation_id: null,
      status: 'pending',
      is_active: true,
      start_time: null,
      end_time: null,
      last_activity: null,
      elapsed_active_time: 0,
      reconnect_count: 0,
      end_reason: null,
      duration_limit: 600,
    });
    expect(new Date(data.session.created_at).getTime()).not.toBeNaN();
    expect(data.room_name).toMatch(ROOM_NAME_PATTERN);
    expect(data).toMatchObject({
      server_url: test.config.LIVEKIT_URL,
      participant_name: 'user',
      is_resume: false,
      elapsed_active_time: 0,
      duration_limit: 600,
      transcript: [],
    });
    const row = await rowOf(data.session.id);
    expect(row).toMatchObject({
      status: 'pending',
      roomName: data.room_name,
      attemptNumber: 1,
      tenantId: test.tenant.id,
    });
  });

  it('opens the LiveKit room with timeouts, two participants and the session in its metadata', async () => {
    const student = await studentOf(test);
    const cs = await newCase();

    const { body } = await student.initialize({ content_id: cs.id });

    const room = test.livekit.rooms.get(body.data.room_name);
    expect(room).toBeDefined();
    expect(room?.maxParticipants).toBe(2);
    expect(room?.emptyTimeout).toBeGreaterThan(0);
    expect(room?.departureTimeout).toBeGreaterThan(0);
    expect(JSON.parse(room?.metadata ?? '{}')).toEqual({ session_id: body.data.session.id, tenant_id: test.tenant.id });
  });

  it('mints a token that decodes to this room only and the student attributes, the dispatch being with the room', async () => {
    const student = await studentOf(test);
    const cs = await newCase();

    const { body } = await student.initialize({ content_id: cs.id });

    const claims = await new TokenVerifier(test.livekit.apiKey, test.livekit.apiSecret).verify(
      body.data.participant_token,
    );
    const sessionId = body.data.session.id;
    expect(claims.sub).toBe(`${student.caller.userId}:${sessionId}`);
    expect(claims.name).toBe('user');
    expect(claims.video).toMatchObject({ roomJoin: true, room: body.data.room_name });
    // Typing goes through the text channel; LiveKit would grant data publishing unless it is refused.
    expect(claims.video?.canPublishData).toBe(false);
    expect(claims.video?.roomCreate).toBeUndefined();
    expect(claims.video?.roomAdmin).toBeUndefined();
    expect(claims.attributes).toEqual({
      tenant_id: test.tenant.id,
      user_id: student.caller.userId,
      session_id: sessionId,
      case_study_id: cs.id,
    });
    // LiveKit ignores a token's roomConfig for a room that exists: the agent is dispatched by CreateRoom.
    expect(claims.roomConfig).toBeUndefined();
    expect(test.livekit.dispatchesOf('standardized-patient', body.data.room_name)).toHaveLength(1);
    const ttl = (claims.exp ?? 0) - (claims.nbf ?? 0);
    expect(ttl).toBeGreaterThan(60);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it("uses the case study's duration limit", async () => {
    const student = await studentOf(test);
    const cs = await newCase({ durationLimit: 300 });

    const { body } = await student.initialize({ content_id: cs.id });

    expect(body.data.duration_limit).toBe(300);
    expect(body.data.session.duration_limit).toBe(300);
  });

  it('answers 409 SESSION_ACTIVE naming the live session when the student already has one for the case', async () => {
    const student = await studentOf(test);
    const cs = await newCase();
    const first = await student.initialize({ content_id: cs.id });

    const { status, body } = await student.initialize({ content_id: cs.id });

    expect(status).toBe(409);
    expect(body).toMatchObject({
      success: false,
      error: { code: 'SESSION_ACTIVE', details: { session_id: first.body.data.session.id } },
    });
  });

  it('lets exactly one of 20 parallel initializes win; the other 19 get 409 naming the winner and leave no room open', async () => {
    const student = await studentOf(test);
    const cs = await newCase({ maxAttempts: 100 });

    const answers = await Promise.all(Array.from({ length: 20 }, () => student.initialize({ content_id: cs.id })));

    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    const winnerId = winners[0]?.body.data.session.id;
    const losers = answers.filter((a) => a.status !== 200);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser.status).toBe(409);
      expect(loser.body.error).toEqual({ code: 'SESSION_ACTIVE', details: { session_id: winnerId } });
    }
    const rows = await test.db.db.select().from(sessions).where(eq(sessions.contentId, cs.id));
    expect(rows.map((r) => r.id)).toEqual([winnerId]);
    // Losers opened rooms before losing at the database; none of them may stay open.
    const roomSessions = [...test.livekit.rooms.values()].map((room) => JSON.parse(room.metadata).session_id);
    const known = new Set((await test.db.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id));
    expect(roomSessions.filter((id) => !known.has(id))).toEqual([]);
  });

  it('answers 422 VALIDATION_ERROR with attempt_count and max_attempts when attempts are used up', async () => {
    const student = await studentOf(test);
    const cs = await newCase({ maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      const { body } = await student.initialize({ content_id: cs.id });
      await student.end(body.data.session.id);
    }

    const { status, body } = await student.initialize({ content_id: cs.id });

    expect(status).toBe(422);
    expect(body.error).toEqual({ code: 'VALIDATION_ERROR', details: { attempt_count: 2, max_attempts: 2 } });
  });

  it('never creates more sessions than max_attempts when creations race after endings', async () => {
    const student = await studentOf(test);
    const cs = await newCase({ maxAttempts: 3 });
    const created: string[] = [];
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => student.initialize({ content_id: cs.id })));
      for (const a of answers.filter((x) => x.status === 200)) {
        created.push(a.body.data.session.id);
        await student.end(a.body.data.session.id);
      }
    }
    expect(created).toHaveLength(3);
    const rows = await test.db.db.select().from(sessions).where(eq(sessions.contentId, cs.id));
    expect(rows.map((r) => r.attemptNumber).sort()).toEqual([1, 2, 3]);
  });

  it('answers 404 NOT_FOUND for a case study that does not exist, is unpublished or belongs to another tenant', async () => {
    const student = await studentOf(test);
    const unpublished = await newCase({ published: false });
    const otherTenant = await insertTenant(test.db.db);
    const foreign = await insertCaseStudy(test.db.db, otherTenant.id);

    for (const id of ['00000000-0000-4000-8000-00000000dead', unpublished.id, foreign.id]) {
      const { status, body } = await student.initialize({ content_id: id });
      expect(status).toBe(404);
      expect(body.error.code).toBe('NOT_FOUND');
    }
  });

  it('answers 502 LIVEKIT_UNAVAILABLE and leaves no session row when LiveKit refuses connections', async () => {
    const student = await studentOf(test);
    const cs = await newCase();
    test.livekit.setMode('refuse');
    try {
      const { status, body } = await student.initialize({ content_id: cs.id });
      expect(status).toBe(502);
      expect(body.error.code).toBe('LIVEKIT_UNAVAILABLE');
    } finally {
      test.livekit.setMode('up');
    }
    expect(await test.db.db.select().from(sessions).where(eq(sessions.contentId, cs.id))).toEqual([]);
    const retry = await student.initialize({ content_id: cs.id });
    expect(retry.status).toBe(200);
    expect(retry.body.data.session).toMatchObject({ reconnect_count: 0 });
  });

  it('answers 502 LIVEKIT_UNAVAILABLE and leaves no session row when LiveKit answers 503', async () => {
    const student = await studentOf(test);
    const cs = await newCase();
    test.livekit.setMode('unavailable');
    try {
      const { status, body } = await student.initialize({ content_id: cs.id });
      expect(status).toBe(502);
      expect(body.error.code).toBe('LIVEKIT_UNAVAILABLE');
    } finally {
      test.livekit.setMode('up');
    }
    expect(await test.db.db.select().from(sessions).where(eq(sessions.contentId, cs.id))).toEqual([]);
  });
});

describe('POST /v1/sessions/initialize, resume', () => {
  /** A session that was talked in and dropped; unless ended, its LiveKit room is still open, as after a start. */
  async function sessionOf(
    student: Awaited<ReturnType<typeof studentOf>>,
    fields: Partial<typeof sessions.$inferInsert> = {},
  ) {
    const cs = await newCase();
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      startTime: new Date(Date.now() - 300_000),
      lastDisconnectAt: new Date(Date.now() - 60_000),
      elapsedActiveTime: 185,
      ...fields,
    });
    if (session.status !== 'ended') {
      await liveKitRooms(test.config).createRoom({
        roomName: session.roomName,
        tenantId: session.tenantId,
        userId: session.userId,
        sessionId: session.id,
        caseStudyId: session.contentId,
      });
    }
    return session;
  }

  it('resumes in a new room with the timer where it stopped and the saved transcript in order', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);
    await test.db.db.insert(sessionMessages).values([
      {
        sessionId: session.id,
        sequence: 15,
        role: 'assistant',
        content: 'The market analysis shows three key trends...',
        timestamp: new Date('2025-06-01T14:03:10Z'),
      },
      {
        sessionId: session.id,
        sequence: 14,
        role: 'user',
        content: 'What about the market analysis section?',
        timestamp: new Date('2025-06-01T14:03:00Z'),
      },
    ]);

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, message: 'Session initialized successfully' });
    expect(Object.keys(body.data).sort()).toEqual(INITIALIZE_DATA_KEYS);
    expect(Object.keys(body.data.session).sort()).toEqual(SESSION_KEYS);
    expect(body.data).toMatchObject({
      is_resume: true,
      participant_name: 'user',
      elapsed_active_time: 185,
      duration_limit: 600,
      session: { id: session.id, status: 'active', reconnect_count: 1, elapsed_active_time: 185 },
    });
    expect(body.data.room_name).toMatch(ROOM_NAME_PATTERN);
    expect(body.data.room_name).not.toBe(session.roomName);
    expect(test.livekit.rooms.has(body.data.room_name)).toBe(true);
    expect(body.data.transcript).toEqual([
      {
        role: 'user',
        content: 'What about the market analysis section?',
        sequence: 14,
        timestamp: '2025-06-01T14:03:00.000Z',
      },
      {
        role: 'assistant',
        content: 'The market analysis shows three key trends...',
        sequence: 15,
        timestamp: '2025-06-01T14:03:10.000Z',
      },
    ]);
    for (const item of body.data.transcript) expect(Object.keys(item).sort()).toEqual(TRANSCRIPT_ITEM_KEYS);
    const claims = await new TokenVerifier(test.livekit.apiKey, test.livekit.apiSecret).verify(
      body.data.participant_token,
    );
    expect(claims.video?.room).toBe(body.data.room_name);
    expect((await rowOf(session.id))?.roomName).toBe(body.data.room_name);
    expect(openRoomsOf(session.id)).toEqual([body.data.room_name]);
  });

  it('closes the previous room when resuming', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);
    const first = await student.initialize({ content_id: session.contentId, session_id: session.id });

    const second = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(second.status).toBe(200);
    expect(test.livekit.rooms.has(session.roomName)).toBe(false);
    expect(test.livekit.rooms.has(first.body.data.room_name)).toBe(false);
    expect(openRoomsOf(session.id)).toEqual([second.body.data.room_name]);
  });

  it('leaves exactly one room open, the one the session is in, after two parallel resumes on a slow LiveKit', async () => {
    for (let round = 0; round < 3; round++) {
      const student = await studentOf(test);
      const session = await sessionOf(student);
      test.livekit.setLatency(50);
      let answers: Awaited<ReturnType<typeof student.initialize>>[];
      try {
        answers = await Promise.all([
          student.initialize({ content_id: session.contentId, session_id: session.id }),
          student.initialize({ content_id: session.contentId, session_id: session.id }),
        ]);
      } finally {
        test.livekit.setLatency(0);
      }

      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.map((a) => a.body.data.session.reconnect_count).sort()).toEqual([1, 2]);
      const row = await rowOf(session.id);
      expect(row?.reconnectCount).toBe(2);
      expect(answers.map((a) => a.body.data.room_name)).toContain(row?.roomName);
      expect(openRoomsOf(session.id)).toEqual([row?.roomName]);
    }
  });

  it('holds no lock on the session while LiveKit is slow to open the new room', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);
    test.livekit.setLatency(400);
    try {
      const resuming = student.initialize({ content_id: session.contentId, session_id: session.id });
      await new Promise((resolve) => setTimeout(resolve, 150));

      // Mid-resume, while CreateRoom is in flight: anything else (an /end, the worker) can take the row.
      const locked = await test.db.sql`select id from sessions where id = ${session.id} for update nowait`;
      expect(locked).toHaveLength(1);
      expect((await resuming).status).toBe(200);
    } finally {
      test.livekit.setLatency(0);
    }
  });

  it('resumes a student still connected (fresh heartbeat) whose last disconnect was over an hour ago', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student, {
      lastDisconnectAt: new Date(Date.now() - 2 * 3_600_000),
      connectedSince: new Date(Date.now() - 120_000),
      segmentBase: 185,
      elapsedActiveTime: 300,
      lastActivity: new Date(Date.now() - 2_000),
    });

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(200);
    expect(body.data.session).toMatchObject({ status: 'active', reconnect_count: 1, end_reason: null });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(0);
  });

  it('ends with 410 SESSION_CONVERSATION_TTL_EXCEEDED a session whose worker stopped heartbeating over an hour ago', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student, {
      lastDisconnectAt: new Date(Date.now() - 2 * 3_600_000),
      connectedSince: new Date(Date.now() - 3_700_000),
      segmentBase: 185,
      lastActivity: new Date(Date.now() - 3_601_000),
    });

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(410);
    expect(body.error.code).toBe('SESSION_CONVERSATION_TTL_EXCEEDED');
    expect(openRoomsOf(session.id)).toEqual([]);
  });

  it('answers 410 SESSION_CONVERSATION_TTL_EXCEEDED, ends the session and enqueues grading once the window is over', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student, { lastDisconnectAt: new Date(Date.now() - 3_601_000) });

    expect(openRoomsOf(session.id)).toEqual([session.roomName]);

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(410);
    expect(body.error.code).toBe('SESSION_CONVERSATION_TTL_EXCEEDED');
    expect(await rowOf(session.id)).toMatchObject({ status: 'ended', endReason: 'conversation_ttl_exceeded' });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
    expect(openRoomsOf(session.id)).toEqual([]);
  });

  it('answers 410 SESSION_RECONNECT_EXCEEDED, ends the session and enqueues grading after two reconnects', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student, { reconnectCount: 2 });

    expect(openRoomsOf(session.id)).toEqual([session.roomName]);

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(410);
    expect(body.error.code).toBe('SESSION_RECONNECT_EXCEEDED');
    expect(await rowOf(session.id)).toMatchObject({ status: 'ended', endReason: 'reconnect_exceeded' });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
    expect(openRoomsOf(session.id)).toEqual([]);
  });

  it('answers 410 SESSION_TIMER_EXPIRED, ends the session and enqueues grading when no time is left', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student, { elapsedActiveTime: 600 });

    expect(openRoomsOf(session.id)).toEqual([session.roomName]);

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(410);
    expect(body.error.code).toBe('SESSION_TIMER_EXPIRED');
    expect(await rowOf(session.id)).toMatchObject({ status: 'ended', endReason: 'timer_expired' });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
    expect(openRoomsOf(session.id)).toEqual([]);
  });

  it('answers 410 SESSION_USER_ENDED for a session the student ended, without enqueuing again', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);
    await student.end(session.id);

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(410);
    expect(body.error).toMatchObject({ code: 'SESSION_USER_ENDED', details: { end_reason: 'user_ended' } });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
  });

  it('answers 410 SESSION_TIMER_EXPIRED for a session the worker already ended, without ending it again', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student, { status: 'ended', endReason: 'timer_expired', isActive: false });

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });

    expect(status).toBe(410);
    expect(body.error).toMatchObject({ code: 'SESSION_TIMER_EXPIRED', details: { end_reason: 'timer_expired' } });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(0);
  });

  it("answers 404 NOT_FOUND for another student's session, another tenant's, or a session of another case", async () => {
    const owner = await studentOf(test);
    const intruder = await studentOf(test);
    const session = await sessionOf(owner);
    const otherTenant = await insertTenant(test.db.db);
    const otherCase = await insertCaseStudy(test.db.db, otherTenant.id);
    const foreign = await insertSession(test.db.db, {
      tenantId: otherTenant.id,
      userId: owner.caller.userId,
      contentId: otherCase.id,
      status: 'active',
    });
    const anotherCase = await newCase();

    const answers = await Promise.all([
      intruder.initialize({ content_id: session.contentId, session_id: session.id }),
      owner.initialize({ content_id: otherCase.id, session_id: foreign.id }),
      owner.initialize({ content_id: anotherCase.id, session_id: session.id }),
    ]);

    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual([
      [404, 'NOT_FOUND'],
      [404, 'NOT_FOUND'],
      [404, 'NOT_FOUND'],
    ]);
    expect(await rowOf(session.id)).toMatchObject({ status: 'active', reconnectCount: 0 });
  });

  it('keeps reconnect_count at most 2 under 10 parallel resumes; the rest get 410 and grading is enqueued once', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => student.initialize({ content_id: session.contentId, session_id: session.id })),
    );

    // A resume is refused only once two have been counted, so exactly two succeed.
    const resumed = answers.filter((a) => a.status === 200);
    expect(resumed.map((a) => a.body.data.session.reconnect_count).sort()).toEqual([1, 2]);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(8);
    for (const a of refused) {
      expect(a.status).toBe(410);
      expect(a.body.error.code).toBe('SESSION_RECONNECT_EXCEEDED');
    }
    const row = await rowOf(session.id);
    expect(row?.reconnectCount).toBeLessThanOrEqual(2);
    expect(row).toMatchObject({ status: 'ended', endReason: 'reconnect_exceeded' });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
    // The losers closed the rooms they opened, and the ending closed the one the session was in.
    expect(openRoomsOf(session.id)).toEqual([]);
  });

  it('answers 422 VALIDATION_ERROR naming session_id when it is not a UUID (ids are UUIDs; in a path, 404)', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);

    const { status, body } = await student.initialize({ content_id: session.contentId, session_id: 'not-a-uuid' });

    expect(status).toBe(422);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['session_id']);
    expect(await rowOf(session.id)).toMatchObject({ reconnectCount: 0 });
  });

  it('answers 502 and uses no reconnect when LiveKit is down during a resume', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(student);
    test.livekit.setMode('unavailable');
    try {
      const { status, body } = await student.initialize({ content_id: session.contentId, session_id: session.id });
      expect(status).toBe(502);
      expect(body.error.code).toBe('LIVEKIT_UNAVAILABLE');
    } finally {
      test.livekit.setMode('up');
    }
    expect(await rowOf(session.id)).toMatchObject({ status: 'active', reconnectCount: 0, roomName: session.roomName });
    expect(openRoomsOf(session.id)).toEqual([session.roomName]);
  });
});
