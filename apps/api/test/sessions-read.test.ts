import { sessionMessages } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp, SESSION_KEYS, send, studentOf, TRANSCRIPT_ITEM_KEYS, tokenFor } from './support.js';

let clock = new Date();
const test = await buildTestApp({ now: () => clock });

/** The seed's list envelope. */
const LIST_ENVELOPE_KEYS = ['data', 'message', 'page', 'page_size', 'success', 'total', 'total_pages'];
/** The seed's list item keys, plus `status`, `created_at`, `end_reason` and `elapsed_active_time` (documented). */
const LIST_ITEM_KEYS = [
  'content_id',
  'content_type_id',
  'created_at',
  'elapsed_active_time',
  'end_reason',
  'end_time',
  'id',
  'is_active',
  'reconnects_remaining',
  'remaining_active_time',
  'resume_deadline',
  'start_time',
  'status',
];

async function sessionsFor(userId: string, count: number, contentId?: string) {
  const cs = contentId ?? (await insertCaseStudy(test.db.db, test.tenant.id, { maxAttempts: 100 })).id;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const row = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId,
      contentId: cs,
      status: 'ended',
      endReason: 'user_ended',
      isActive: false,
      createdAt: new Date(Date.UTC(2025, 5, 1, 14, i)),
    });
    ids.push(row.id);
  }
  return { contentId: cs, ids };
}

describe('GET /v1/sessions', () => {
  it("lists only the caller's sessions, newest first, with paging figures", async () => {
    const student = await studentOf(test);
    const { ids, contentId } = await sessionsFor(student.caller.userId, 3);
    await sessionsFor('someone-else', 2);

    const { status, body } = await student.get('/v1/sessions');

    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(LIST_ENVELOPE_KEYS);
    expect(body).toMatchObject({ success: true, total: 3, page: 1, page_size: 20, total_pages: 1, message: null });
    expect(body.data.map((s: { id: string }) => s.id)).toEqual([...ids].reverse());
    for (const item of body.data) expect(Object.keys(item).sort()).toEqual(LIST_ITEM_KEYS);
    expect(body.data[0]).toEqual({
      id: ids[2],
      content_type_id: 'case_study',
      content_id: contentId,
      status: 'ended',
      is_active: false,
      start_time: null,
      end_time: null,
      created_at: '2025-06-01T14:02:00.000Z',
      end_reason: 'user_ended',
      elapsed_active_time: 0,
      resume_deadline: null,
      reconnects_remaining: 0,
      remaining_active_time: 600,
    });
  });

  it("never lists another tenant's sessions, even under the same user id", async () => {
    const student = await studentOf(test);
    const own = await sessionsFor(student.caller.userId, 1);
    const otherTenant = await insertTenant(test.db.db);
    const foreignCase = await insertCaseStudy(test.db.db, otherTenant.id);
    for (let i = 0; i < 2; i++) {
      await insertSession(test.db.db, {
        tenantId: otherTenant.id,
        userId: student.caller.userId,
        contentId: foreignCase.id,
        status: 'ended',
        endReason: 'user_ended',
        isActive: false,
      });
    }

    const all = await student.get('/v1/sessions');
    const byForeignCase = await student.get(`/v1/sessions?content_id=${foreignCase.id}`);

    expect(all.body).toMatchObject({ total: 1, total_pages: 1 });
    expect(all.body.data.map((s: { id: string }) => s.id)).toEqual(own.ids);
    expect(byForeignCase.status).toBe(200);
    expect(byForeignCase.body).toMatchObject({ data: [], total: 0, total_pages: 0 });
  });

  it('pages with skip and limit', async () => {
    const student = await studentOf(test);
    const { ids } = await sessionsFor(student.caller.userId, 5);
    const newestFirst = [...ids].reverse();

    const { body } = await student.get('/v1/sessions?skip=2&limit=2');

    expect(body).toMatchObject({ total: 5, page: 2, page_size: 2, total_pages: 3 });
    expect(body.data.map((s: { id: string }) => s.id)).toEqual(newestFirst.slice(2, 4));
    const past = await student.get('/v1/sessions?skip=10&limit=2');
    expect(past.body).toMatchObject({ data: [], total: 5, page: 6, total_pages: 3 });
  });

  it('filters by content_id', async () => {
    const student = await studentOf(test);
    const first = await sessionsFor(student.caller.userId, 2);
    await sessionsFor(student.caller.userId, 1);

    const { body } = await student.get(`/v1/sessions?content_id=${first.contentId}`);

    expect(body.total).toBe(2);
    expect(body.data.every((s: { content_id: string }) => s.content_id === first.contentId)).toBe(true);
  });

  it('answers 422 VALIDATION_ERROR naming skip, limit or content_id when they are out of bounds', async () => {
    const student = await studentOf(test);
    for (const [query, field] of [
      ['skip=-1', 'skip'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['skip=1.5', 'skip'],
      ['content_id=', 'content_id'],
    ]) {
      const { status, body } = await student.get(`/v1/sessions?${query}`);
      expect(status, query).toBe(422);
      expect(body.error.code).toBe('VALIDATION_ERROR');
      expect(body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
  });

  it('accepts the bounds limit=1 and limit=100', async () => {
    const student = await studentOf(test);
    await sessionsFor(student.caller.userId, 2);
    expect((await student.get('/v1/sessions?limit=1')).body).toMatchObject({ page_size: 1, total_pages: 2 });
    expect((await student.get('/v1/sessions?limit=100')).body).toMatchObject({ page_size: 100, total_pages: 1 });
  });
});

describe('GET /v1/sessions/{session_id}', () => {
  it('answers every field of the session, with its messages ordered by sequence', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'ended',
      isActive: false,
      endReason: 'user_ended',
      createdAt: new Date('2025-06-01T13:59:58Z'),
      startTime: new Date('2025-06-01T14:00:00Z'),
      endTime: new Date('2025-06-01T14:08:30Z'),
      lastActivity: new Date('2025-06-01T14:08:29Z'),
      elapsedActiveTime: 510,
      reconnectCount: 1,
      durationLimit: 600,
    });
    const sessionId = session.id;
    const at = (iso: string) => new Date(iso);
    await test.db.db.insert(sessionMessages).values([
      {
        sessionId,
        sequence: 3,
        role: 'assistant',
        content: 'I have been tired.',
        timestamp: at('2025-06-01T14:00:20Z'),
      },
      {
        sessionId,
        sequence: 1,
        role: 'assistant',
        content: "Hello, I'm Maria.",
        timestamp: at('2025-06-01T14:00:05Z'),
      },
      { sessionId, sequence: 2, role: 'user', content: 'What brings you in?', timestamp: at('2025-06-01T14:00:15Z') },
    ]);

    const { status, body } = await student.get(`/v1/sessions/${sessionId}`);

    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['data', 'message', 'success']);
    expect(Object.keys(body.data).sort()).toEqual(
      [...SESSION_KEYS, 'full_transcript', 'messages', 'word_count'].sort(),
    );
    for (const item of body.data.messages) {
      expect(Object.keys(item).sort()).toEqual([...TRANSCRIPT_ITEM_KEYS, 'channel', 'offset_seconds'].sort());
    }
    expect(body).toEqual({
      success: true,
      message: null,
      data: {
        id: sessionId,
        user_id: student.caller.userId,
        content_type_id: 'case_study',
        content_id: cs.id,
        conversation_id: null,
        status: 'ended',
        is_active: false,
        start_time: '2025-06-01T14:00:00.000Z',
        end_time: '2025-06-01T14:08:30.000Z',
        last_activity: '2025-06-01T14:08:29.000Z',
        created_at: '2025-06-01T13:59:58.000Z',
        elapsed_active_time: 510,
        reconnect_count: 1,
        end_reason: 'user_ended',
        duration_limit: 600,
        duration_multiplier: 1,
        metadata: {},
        resume_deadline: null,
        reconnects_remaining: 0,
        remaining_active_time: 90,
        duration_seconds: 510,
        messages: [
          {
            role: 'assistant',
            content: "Hello, I'm Maria.",
            sequence: 1,
            timestamp: '2025-06-01T14:00:05.000Z',
            channel: 'voice',
            offset_seconds: 5,
          },
          {
            role: 'user',
            content: 'What brings you in?',
            sequence: 2,
            timestamp: '2025-06-01T14:00:15.000Z',
            channel: 'voice',
            offset_seconds: 15,
          },
          {
            role: 'assistant',
            content: 'I have been tired.',
            sequence: 3,
            timestamp: '2025-06-01T14:00:20.000Z',
            channel: 'voice',
            offset_seconds: 20,
          },
        ],
        full_transcript: "Patient: Hello, I'm Maria.\nStudent: What brings you in?\nPatient: I have been tired.",
        word_count: { student: 4, patient: 7, total: 11 },
      },
    });
  });

  it('reports the live elapsed time of a connected session, running segment included', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    clock = new Date();
    const row = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      segmentBase: 100,
      elapsedActiveTime: 104,
      connectedSince: new Date(clock.getTime() - 10_000),
      lastActivity: new Date(clock.getTime() - 1_000),
    });

    const { body } = await student.get(`/v1/sessions/${row.id}`);

    expect(body.data.elapsed_active_time).toBeCloseTo(110, 1);
  });

  it("lets instructors and admins read their tenant's sessions, but not another tenant's", async () => {
    const student = await studentOf(test);
    const { ids } = await sessionsFor(student.caller.userId, 1);
    const instructor = await tokenFor({ userId: 'ines', tenantId: test.tenant.id, role: 'instructor' });
    const admin = await tokenFor({ userId: 'ada', tenantId: test.tenant.id, role: 'admin' });
    const foreignAdmin = await tokenFor({
      userId: 'ada',
      tenantId: (await insertTenant(test.db.db)).id,
      role: 'admin',
    });

    expect((await send(test.app, 'GET', `/v1/sessions/${ids[0]}`, { token: instructor })).status).toBe(200);
    expect((await send(test.app, 'GET', `/v1/sessions/${ids[0]}`, { token: admin })).status).toBe(200);
    const foreign = await send(test.app, 'GET', `/v1/sessions/${ids[0]}`, { token: foreignAdmin });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it("answers 404 NOT_FOUND to a student reading another student's session, or an unknown id", async () => {
    const owner = await studentOf(test);
    const other = await studentOf(test);
    const { ids } = await sessionsFor(owner.caller.userId, 1);

    for (const path of [
      `/v1/sessions/${ids[0]}`,
      '/v1/sessions/00000000-0000-4000-8000-000000000000',
      '/v1/sessions/xyz',
    ]) {
      const { status, body } = await other.get(path);
      expect(status, path).toBe(404);
      expect(body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    }
  });
});
