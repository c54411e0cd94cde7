/**
 * The staff view of sessions (/v1/admin/sessions): every status, filters and paging, the live elapsed
 * time, one session with transcript and report, ending a live session (staff_ended), and tenant walls.
 */
import { gradeReports, sessionMessages, sessions } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, gradingJobs, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const db = test.db.db;
const tenantId = test.tenant.id;
const instructor = await tokenFor({ userId: 'ines', tenantId, role: 'instructor' });
const admin = await tokenFor({ userId: 'ada', tenantId, role: 'admin' });
const list = (query: string, token = instructor) => send(test.app, 'GET', `/v1/admin/sessions${query}`, { token });
const ids = (body: { data: { id: string }[] }) => body.data.map((s) => s.id);

// A case of its own so the filters see only this file's sessions.
const cs = await insertCaseStudy(db, tenantId, { maxAttempts: 50, externalId: 'lms-staff', title: 'Staff case' });
const at = (day: number, minute = 0) => new Date(Date.UTC(2026, 2, day, 9, minute));
const base = { tenantId, contentId: cs.id };

const ended = await insertSession(db, {
  ...base,
  userId: 'ana',
  status: 'ended',
  endReason: 'user_ended',
  gradingStatus: 'completed',
  channel: 'voice',
  createdAt: at(1),
  startTime: at(1, 1),
  endTime: at(1, 9),
  elapsedActiveTime: 480,
});
await db.insert(gradeReports).values({
  sessionId: ended.id,
  tenantId,
  status: 'completed',
  grader: 'heuristic',
  score: 72.5,
  items: [],
  completedAt: at(1, 10),
});
const timedOut = await insertSession(db, {
  ...base,
  userId: 'ben',
  status: 'ended',
  endReason: 'timer_expired',
  gradingStatus: 'completed',
  channel: 'text',
  createdAt: at(2),
});
await db.insert(gradeReports).values({
  sessionId: timedOut.id,
  tenantId,
  status: 'completed',
  grader: 'model',
  score: 40,
  items: [],
  completedAt: at(2, 10),
});
const pending = await insertSession(db, { ...base, userId: 'cal', status: 'pending', createdAt: at(3) });
// Active, in a segment that opened 30 s ago and heartbeats still fresh: live elapsed ≈ 20 + 30.
const active = await insertSession(db, {
  ...base,
  userId: 'ana',
  status: 'active',
  channel: 'voice',
  createdAt: at(4),
  startTime: new Date(Date.now() - 60_000),
  connectedSince: new Date(Date.now() - 30_000),
  lastActivity: new Date(Date.now() - 1_000),
  segmentBase: 20,
  elapsedActiveTime: 20,
});
// Active whose worker stopped heartbeating 100 s ago, in a segment opened 200 s ago: frozen at 10 + 100 + 15.
const stale = await insertSession(db, {
  ...base,
  userId: 'dee',
  status: 'active',
  createdAt: at(5),
  startTime: new Date(Date.now() - 300_000),
  connectedSince: new Date(Date.now() - 200_000),
  lastActivity: new Date(Date.now() - 100_000),
  segmentBase: 10,
  elapsedActiveTime: 110,
});

const elsewhere = await insertTenant(db);
const foreignCase = await insertCaseStudy(db, elsewhere.id);
const foreign = await insertSession(db, {
  tenantId: elsewhere.id,
  userId: 'ana',
  contentId: foreignCase.id,
  status: 'active',
});
const outsider = await tokenFor({ userId: 'oscar', tenantId: elsewhere.id, role: 'instructor' });

describe('GET /v1/admin/sessions', () => {
  it('lists sessions of every status, newest first, with the staff fields beside the earlier ones', async () => {
    const { status, body } = await list('?content_id=lms-staff');
    expect(status).toBe(200);
    expect(ids(body)).toEqual([stale.id, active.id, pending.id, timedOut.id, ended.id]);
    expect(body.total).toBe(5);
    expect(body.data[4]).toMatchObject({
      id: ended.id,
      user_id: 'ana',
      metadata: {},
      status: 'ended',
      end_reason: 'user_ended',
      case_title: 'Staff case',
      channel: 'voice',
      attempt_number: 1,
      duration_limit: 600,
      duration_multiplier: 1,
      ended_by: null,
      grading_status: 'completed',
      score: 72.5,
      grader: 'heuristic',
      elapsed_active_time: 480,
      remaining_active_time: 120,
    });
    expect(body.data[2]).toMatchObject({ id: pending.id, status: 'pending', score: null, grader: null });
  });

  it('gives active sessions their live elapsed time, frozen once heartbeats go stale', async () => {
    const { body } = await list('?content_id=lms-staff&status=active');
    const byId = new Map(body.data.map((s: { id: string }) => [s.id, s]));
    const live = byId.get(active.id) as { elapsed_active_time: number; remaining_active_time: number };
    expect(live.elapsed_active_time).toBeGreaterThanOrEqual(49.9);
    expect(live.elapsed_active_time).toBeLessThan(60);
    expect(live.remaining_active_time).toBeCloseTo(600 - live.elapsed_active_time, 3);
    const frozen = byId.get(stale.id) as { elapsed_active_time: number };
    expect(frozen.elapsed_active_time).toBeCloseTo(125, 0);
  });

  it('filters by status, end reason, channel, student, dates and score, and combines them', async () => {
    const q = (query: string) => list(`?content_id=${cs.id}&${query}`).then((r) => ids(r.body).sort());
    expect(await q('status=ended')).toEqual([ended.id, timedOut.id].sort());
    expect(await q('end_reason=timer_expired')).toEqual([timedOut.id]);
    expect(await q('channel=text')).toEqual([timedOut.id]);
    expect(await q('user_id=ana')).toEqual([ended.id, active.id].sort());
    expect(await q('from=2026-03-02&to=2026-03-03')).toEqual([timedOut.id, pending.id].sort());
    expect(await q('to=2026-03-01T09:00:00Z')).toEqual([ended.id]);
    expect(await q('min_score=50')).toEqual([ended.id]);
    expect(await q('max_score=50')).toEqual([timedOut.id]);
    expect(await q('min_score=40&max_score=72.5&user_id=ben')).toEqual([timedOut.id]);
    expect(await q('status=active&user_id=ana')).toEqual([active.id]);
  });

  it('pages with skip and limit, counting every match', async () => {
    const first = await list('?content_id=lms-staff&limit=2');
    const third = await list('?content_id=lms-staff&limit=2&skip=4');
    expect(first.body).toMatchObject({ total: 5, page: 1, page_size: 2, total_pages: 3 });
    expect(ids(first.body)).toEqual([stale.id, active.id]);
    expect(third.body).toMatchObject({ total: 5, page: 3 });
    expect(ids(third.body)).toEqual([ended.id]);
  });

  it('answers 422 naming each bad filter', async () => {
    const bad = await list('?status=gone&channel=fax&min_score=80&max_score=20&from=2026-04-01&to=2026-03-01');
    expect(bad.status).toBe(422);
    const fields = bad.body.error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['status', 'channel']));
    const range = await list('?min_score=80&max_score=20');
    expect(range.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['min_score']);
    const dates = await list('?from=2026-04-01&to=2026-03-01');
    expect(dates.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['from']);
  });

  it("never shows another tenant's sessions", async () => {
    const { body } = await list('?user_id=ana&limit=100');
    expect(ids(body)).not.toContain(foreign.id);
    const theirs = await list('?limit=100', outsider);
    expect(ids(theirs.body)).toEqual([foreign.id]);
  });
});

describe('GET /v1/admin/sessions/{session_id}', () => {
  it('answers the session with its transcript and its report side by side', async () => {
    await db.insert(sessionMessages).values([
      { sessionId: ended.id, sequence: 1, role: 'assistant', content: 'Hello doctor.', timestamp: at(1, 2) },
      { sessionId: ended.id, sequence: 2, role: 'user', content: 'What brings you in?', timestamp: at(1, 3) },
    ]);
    const { status, body } = await send(test.app, 'GET', `/v1/admin/sessions/${ended.id}`, { token: admin });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      id: ended.id,
      case_title: 'Staff case',
      score: 72.5,
      messages: [
        { sequence: 1, role: 'assistant', content: 'Hello doctor.', offset_seconds: 60 },
        { sequence: 2, role: 'user', content: 'What brings you in?', offset_seconds: 120 },
      ],
      report: { session_id: ended.id, status: 'completed', score: 72.5, grader_score: 72.5, grader: 'heuristic' },
    });
    expect(body.data.report.items.map((i: { item_id: string }) => i.item_id)).toEqual(cs.rubric.map((r) => r.id));
    expect(body.data.report.items[0]).toMatchObject({ grader_verdict: 'not_met', verdict: 'not_met', review: null });
  });

  it('answers report null before grading, and 404 for another tenant or a malformed id', async () => {
    const { body } = await send(test.app, 'GET', `/v1/admin/sessions/${pending.id}`, { token: instructor });
    expect(body.data).toMatchObject({ id: pending.id, report: null, messages: [] });
    expect((await send(test.app, 'GET', `/v1/admin/sessions/${foreign.id}`, { token: instructor })).status).toBe(404);
    expect((await send(test.app, 'GET', `/v1/admin/sessions/${ended.id}`, { token: outsider })).status).toBe(404);
    expect((await send(test.app, 'GET', '/v1/admin/sessions/not-a-uuid', { token: instructor })).status).toBe(404);
  });
});

describe('POST /v1/admin/sessions/{session_id}/end', () => {
  const endAs = (sessionId: string, graded: unknown, token = instructor) =>
    send(test.app, 'POST', `/v1/admin/sessions/${sessionId}/end`, { token, json: { graded } });
  const rowOf = async (id: string) => (await db.select().from(sessions).where(eq(sessions.id, id)))[0];

  it('ends a live voice session ungraded: staff_ended, who ended it, no report, its room closed', async () => {
    const student = await studentOf(test);
    const started = (await student.initialize({ content_id: cs.id })).body.data;
    expect(test.livekit.rooms.has(started.room_name)).toBe(true);

    const { status, body } = await endAs(started.session.id, false);

    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      id: started.session.id,
      status: 'ended',
      end_reason: 'staff_ended',
      ended_by: 'ines',
      grading_status: 'not_started',
    });
    expect(test.livekit.rooms.has(started.room_name)).toBe(false);
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(0);
    expect(await db.select().from(gradeReports).where(eq(gradeReports.sessionId, started.session.id))).toEqual([]);
    // The student sees why it ended.
    const again = await student.end(started.session.id);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('SESSION_STAFF_ENDED');
  });

  it('ends a live text session graded: one grading job, and the next typed turn answers 410', async () => {
    const student = await studentOf(test);
    const started = (await student.initialize({ content_id: cs.id, channel: 'text' })).body.data;

    const { body } = await endAs(started.session.id, true, admin);

    expect(body.data).toMatchObject({ end_reason: 'staff_ended', ended_by: 'ada', grading_status: 'pending' });
    expect(await rowOf(started.session.id)).toMatchObject({ endedBy: 'ada', gradingStatus: 'pending' });
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(1);
    const turn = await send(test.app, 'POST', `/v1/sessions/${started.session.id}/messages`, {
      token: student.token,
      json: { body: 'Hello?' },
    });
    expect(turn.status).toBe(410);
    expect(turn.body.error.code).toBe('SESSION_STAFF_ENDED');
  });

  it('answers 410 for an ended session, 404 across tenants, 422 without a graded choice', async () => {
    const gone = await endAs(ended.id, true);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('SESSION_USER_ENDED');
    expect((await endAs(foreign.id, true)).status).toBe(404);
    expect(await rowOf(foreign.id)).toMatchObject({ status: 'active' });
    const live = await insertSession(db, { ...base, userId: 'eve', status: 'active' });
    expect((await endAs(live.id, true, outsider)).status).toBe(404);
    expect((await endAs(live.id, 'yes')).status).toBe(422);
    expect(await rowOf(live.id)).toMatchObject({ status: 'active', endedBy: null });
  });
});
