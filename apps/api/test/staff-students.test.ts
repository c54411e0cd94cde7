/**
 * Staff per student: extra attempts on a case (a student out of attempts may start again), a time
 * accommodation applied when a session starts and shown to the student, the students list and one
 * student's view; another tenant's staff change nothing, and a student gets 403 on every staff route.
 */
import { insertCaseStudy, insertSession, insertTenant, insertUser } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const db = test.db.db;
const tenantId = test.tenant.id;
const instructor = await tokenFor({ userId: 'ines', tenantId, role: 'instructor' });
const elsewhere = await insertTenant(db);
const outsider = await tokenFor({ userId: 'oscar', tenantId: elsewhere.id, role: 'admin' });

const grant = (userId: string, json: unknown, token = instructor) =>
  send(test.app, 'POST', `/v1/admin/students/${userId}/attempt-grants`, { token, json });
const accommodate = (userId: string, json: unknown, token = instructor) =>
  send(test.app, 'PUT', `/v1/admin/students/${userId}/accommodation`, { token, json });

describe('attempt grants', () => {
  it('lets a student who used every attempt start again, once per attempt granted', async () => {
    const cs = await insertCaseStudy(db, tenantId, { maxAttempts: 1, externalId: 'lms-grant' });
    const student = await studentOf(test);
    const userId = student.caller.userId;
    await insertSession(db, { tenantId, userId, contentId: cs.id, status: 'ended', endReason: 'user_ended' });
    const refused = await student.initialize({ content_id: cs.id, channel: 'text' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual({ attempt_count: 1, max_attempts: 1 });

    const granted = await grant(userId, { content_id: 'lms-grant', extra_attempts: 1, note: 'Fire alarm' });
    expect(granted.status).toBe(201);
    expect(granted.body.data).toEqual({
      user_id: userId,
      content_id: cs.id,
      case_title: cs.title,
      max_attempts: 1,
      extra_attempts: 1,
      attempts_allowed: 2,
      attempts_used: 1,
    });

    const again = await student.initialize({ content_id: cs.id, channel: 'text' });
    expect(again.status).toBe(200);
    await student.end(again.body.data.session.id);
    const third = await student.initialize({ content_id: cs.id, channel: 'text' });
    expect(third.status).toBe(422);
    expect(third.body.error.details).toEqual({ attempt_count: 2, max_attempts: 2 });
  });

  it('refuses a bad count (422), an unknown case (404) and another tenant’s case (404)', async () => {
    expect((await grant('sam', { content_id: test.caseStudy.id, extra_attempts: 0 })).status).toBe(422);
    expect((await grant('sam', { content_id: test.caseStudy.id, extra_attempts: 1.5 })).status).toBe(422);
    expect((await grant('sam', { content_id: 'no-such-case', extra_attempts: 1 })).status).toBe(404);
    const theirs = await grant('sam', { content_id: test.caseStudy.id, extra_attempts: 1 }, outsider);
    expect(theirs.status).toBe(404);
    const view = await send(test.app, 'GET', '/v1/admin/students/sam', { token: instructor });
    expect(view.status).toBe(404);
  });
});

describe('time accommodation', () => {
  it('multiplies the duration of sessions started afterwards, and the student sees it', async () => {
    const student = await studentOf(test);
    const userId = student.caller.userId;
    const set = await accommodate(userId, { duration_multiplier: 1.25, note: 'Exam access arrangement' });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ user_id: userId, duration_multiplier: 1.25, set_by: 'ines' });

    const cs = await insertCaseStudy(db, tenantId, { durationLimit: 600 });
    const { body } = await student.initialize({ content_id: cs.id });
    expect(body.data.session).toMatchObject({ duration_limit: 750, duration_multiplier: 1.25 });
    expect(body.data.duration_limit).toBe(750);
    expect(body.data.session.remaining_active_time).toBe(750);
    const read = await student.get(`/v1/sessions/${body.data.session.id}`);
    expect(read.body.data).toMatchObject({ duration_limit: 750, duration_multiplier: 1.25 });

    // Removing it changes the next session, not this one.
    const cleared = await send(test.app, 'DELETE', `/v1/admin/students/${userId}/accommodation`, { token: instructor });
    expect(cleared.body.data).toMatchObject({ duration_multiplier: 1, note: null });
    await student.end(body.data.session.id);
    const next = await student.initialize({ content_id: cs.id });
    expect(next.body.data.session).toMatchObject({ duration_limit: 600, duration_multiplier: 1 });
  });

  it('refuses a multiplier outside 1–4 (422); another tenant’s accommodation does not reach this one', async () => {
    expect((await accommodate('sam', { duration_multiplier: 0.5 })).status).toBe(422);
    expect((await accommodate('sam', { duration_multiplier: 5 })).status).toBe(422);
    const student = await studentOf(test);
    expect((await accommodate(student.caller.userId, { duration_multiplier: 2 }, outsider)).status).toBe(200);
    const { body } = await student.initialize({ content_id: test.caseStudy.id, channel: 'text' });
    expect(body.data.session).toMatchObject({ duration_limit: 600, duration_multiplier: 1 });
  });
});

describe('students', () => {
  it("lists the tenant's students and shows one: attempts per case, grants, accommodation", async () => {
    const registered = await insertUser(db, tenantId, 'student', 'reg-student');
    const cs = await insertCaseStudy(db, tenantId, { maxAttempts: 2, title: 'Abdominal pain' });
    const s1 = await insertSession(db, {
      tenantId,
      userId: 'viv',
      contentId: cs.id,
      status: 'ended',
      endReason: 'user_ended',
      createdAt: new Date(Date.UTC(2026, 2, 1)),
    });
    await insertSession(db, {
      tenantId,
      userId: 'viv',
      contentId: cs.id,
      status: 'ended',
      endReason: 'pending_timeout',
    });
    await grant('viv', { content_id: cs.id, extra_attempts: 2 });
    await accommodate('viv', { duration_multiplier: 1.5 });

    const listed = await send(test.app, 'GET', '/v1/admin/students?limit=100', { token: instructor });
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.data.map((s: { user_id: string }) => [s.user_id, s]));
    expect(byId.get('viv')).toMatchObject({ sessions: 2, duration_multiplier: 1.5 });
    expect(byId.get(registered.id)).toMatchObject({ name: 'reg-student', sessions: 0, last_session_at: null });
    expect(listed.body.total).toBe(listed.body.data.length);

    const { status, body } = await send(test.app, 'GET', '/v1/admin/students/viv', { token: instructor });
    expect(status).toBe(200);
    expect(body.data.accommodation).toMatchObject({ duration_multiplier: 1.5, set_by: 'ines' });
    expect(body.data.cases).toEqual([
      {
        user_id: 'viv',
        content_id: cs.id,
        case_title: 'Abdominal pain',
        max_attempts: 2,
        extra_attempts: 2,
        attempts_allowed: 4,
        attempts_used: 1,
        best_score: null,
        latest_score: null,
      },
    ]);
    expect(body.data.grants).toMatchObject([{ content_id: cs.id, extra_attempts: 2, granted_by: 'ines' }]);
    expect(s1.userId).toBe('viv');

    const theirs = await send(test.app, 'GET', '/v1/admin/students?limit=100', { token: outsider });
    expect(theirs.body.data.map((s: { user_id: string }) => s.user_id)).not.toContain('viv');
    expect((await send(test.app, 'GET', '/v1/admin/students/viv', { token: outsider })).status).toBe(404);
  });
});

describe('every staff route', () => {
  it('answers 403 to a student, whatever the route', async () => {
    const { body: doc } = await send(test.app, 'GET', '/openapi.json');
    const student = await studentOf(test);
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/admin/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => [method, path] as const));
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const [method, path] of routes) {
      const concrete = path
        .replace('{session_id}', test.caseStudy.id)
        .replace('{content_id}', test.caseStudy.id)
        .replace('{user_id}', student.caller.userId)
        .replace('{item_id}', 'x');
      const json = method === 'get' || method === 'delete' ? undefined : {};
      const answer = await send(test.app, method.toUpperCase(), concrete, { token: student.token, json });
      expect(answer.status, `${method} ${path}`).toBe(403);
    }
  });
});
