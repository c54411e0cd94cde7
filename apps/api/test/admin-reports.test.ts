import { gradeReports, sessionMessages } from '@sp/db';
import { insertCaseStudy, insertTenant } from '@sp/dev-postgres/testing';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradedSession, sessionOf, startGrading, transcript, validAnswer } from './grading-fixtures.js';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const model = await startGrading(test);
const instructor = await tokenFor({ userId: 'instructor-1', tenantId: test.tenant.id, role: 'instructor' });
const admin = await tokenFor({ userId: 'admin-1', tenantId: test.tenant.id, role: 'admin' });

const listReports = (query: string, token = instructor) =>
  send(test.app, 'GET', `/v1/admin/reports${query}`, { token });
const regrade = (sessionId: string, token = instructor) =>
  send(test.app, 'POST', `/v1/admin/sessions/${sessionId}/regrade`, { token });
const waitForReport = (sessionId: string) =>
  send(test.app, 'GET', `/v1/sessions/${sessionId}/report?wait_for_completion=true&timeout_seconds=30`, {
    token: instructor,
  });

describe('GET /v1/admin/reports', () => {
  const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const otherCase = await insertCaseStudy(test.db.db, test.tenant.id, { externalId: 'lms-case-9' });
    ids.ana1 = (await gradedSession(test, { userId: 'ana', score: 35, endTime: day(1) })).id;
    ids.ana2 = (await gradedSession(test, { userId: 'ana', score: 80, endTime: day(5) })).id;
    ids.ben = (await gradedSession(test, { userId: 'ben', score: 92.5, endTime: day(10), contentId: otherCase.id })).id;
    ids.cem = (await gradedSession(test, { userId: 'cem', score: null, status: 'failed', endTime: day(12) })).id;
    ids.otherCase = otherCase.id;
    await test.db.db
      .update(gradeReports)
      .set({ integrityFlags: [{ turn: 3, reason: 'addresses the grader or an AI instead of the patient' }] })
      .where(eq(gradeReports.sessionId, ids.ben));
    // Another tenant's report never shows.
    const elsewhere = await insertTenant(test.db.db);
    const theirCase = await insertCaseStudy(test.db.db, elsewhere.id);
    const theirs = { ...test, tenant: elsewhere, caseStudy: theirCase };
    await gradedSession(theirs, { userId: 'ana', score: 50, endTime: day(3) });
  });

  const sessionIds = (body: { data: { session_id: string }[] }) => body.data.map((r) => r.session_id);

  it("lists the tenant's reports, most recently ended first, with the session's student and case", async () => {
    const { status, body } = await listReports('');

    expect(status).toBe(200);
    expect(sessionIds(body)).toEqual([ids.cem, ids.ben, ids.ana2, ids.ana1]);
    expect(body).toMatchObject({ total: 4, page: 1, page_size: 20, total_pages: 1, message: null });
    expect(body.data[1]).toMatchObject({ user_id: 'ben', content_id: ids.otherCase, score: 92.5, status: 'completed' });
    expect(body.data[1].ended_at).toBe(day(10).toISOString());
  });

  it('filters by case, student, score range, status and end date', async () => {
    expect(sessionIds((await listReports(`?content_id=${ids.otherCase}`)).body)).toEqual([ids.ben]);
    // The client's own id for the case works the same; one that names no case finds nothing (never a 422).
    expect(sessionIds((await listReports('?content_id=lms-case-9')).body)).toEqual([ids.ben]);
    expect(sessionIds((await listReports('?content_id=6650e5f6a7b8c9d0e1f2a3b4')).body)).toEqual([]);
    expect(sessionIds((await listReports('?user_id=ana')).body)).toEqual([ids.ana2, ids.ana1]);
    expect(sessionIds((await listReports('?min_score=40&max_score=90')).body)).toEqual([ids.ana2]);
    expect(sessionIds((await listReports('?min_score=80')).body)).toEqual([ids.ben, ids.ana2]);
    expect(sessionIds((await listReports('?status=failed')).body)).toEqual([ids.cem]);
    const window = `?from=${day(4).toISOString()}&to=${day(10).toISOString()}`;
    expect(sessionIds((await listReports(window)).body)).toEqual([ids.ben, ids.ana2]);
    // Whole days: from the start of the 5th to the end of the 10th (UTC).
    expect(sessionIds((await listReports('?from=2026-01-05&to=2026-01-10')).body)).toEqual([ids.ben, ids.ana2]);
    expect(sessionIds((await listReports('?to=2026-01-01')).body)).toEqual([ids.ana1]);
  });

  it('finds the reports an instructor should review: those with integrity flags', async () => {
    const flagged = await listReports('?needs_review=true');
    expect(sessionIds(flagged.body)).toEqual([ids.ben]);
    expect(flagged.body.data[0]).toMatchObject({ needs_review: true, integrity_flags: [{ turn: 3 }] });
    expect(sessionIds((await listReports('?needs_review=false')).body)).toEqual([ids.cem, ids.ana2, ids.ana1]);
    expect((await listReports('?needs_review=maybe')).status).toBe(422);
  });

  it('pages with skip and limit', async () => {
    const { body } = await listReports('?skip=2&limit=1');
    expect(sessionIds(body)).toEqual([ids.ana2]);
    expect(body).toMatchObject({ total: 4, page: 3, page_size: 1, total_pages: 4 });
  });

  it('answers 422 VALIDATION_ERROR naming a bad filter', async () => {
    for (const [query, field] of [
      ['?min_score=90&max_score=10', 'min_score'],
      ['?max_score=101', 'max_score'],
      ['?from=yesterday', 'from'],
      ['?to=2026-02-30T25:00:00Z', 'to'],
      [`?from=${day(5).toISOString()}&to=${day(1).toISOString()}`, 'from'],
      ['?status=done', 'status'],
      ['?content_id=', 'content_id'],
      ['?limit=0', 'limit'],
    ] as const) {
      const { status, body } = await listReports(query);
      expect(status, query).toBe(422);
      expect(
        body.error.details.fields.map((f: { field: string }) => f.field),
        query,
      ).toContain(field);
    }
  });

  it('answers 403 FORBIDDEN to a student, and admins of the tenant see the same list', async () => {
    const student = await studentOf(test);
    expect((await listReports('', student.token)).status).toBe(403);
    expect((await listReports('', admin)).body.total).toBe(4);
  });
});

describe('POST /v1/admin/sessions/{id}/regrade', () => {
  it('re-queues a failed report, which then completes', async () => {
    model.onChat(() => ({ error: { status: 500, message: 'model is down' } }));
    const session = await sessionOf(test, 'dora');
    const failed = await waitForReport(session.id);
    expect(failed.body.data).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed.body.data.error).toMatch(/model is down/);

    model.onChat(() => ({ json: validAnswer(test.caseStudy.rubric) }));
    const { status, body } = await regrade(session.id);

    expect(status).toBe(202);
    expect(body).toMatchObject({ success: true, data: { session_id: session.id, status: 'pending' } });
    const regraded = await waitForReport(session.id);
    expect(regraded.body.data).toMatchObject({ status: 'completed', attempts: 1, error: null });
  });

  it('answers 409 GRADING_IN_PROGRESS while the grading is pending or running', async () => {
    model.onChat(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return { json: validAnswer(test.caseStudy.rubric) };
    });
    const session = await sessionOf(test, 'eli');

    const { status, body } = await regrade(session.id, admin);

    expect(status).toBe(409);
    expect(body.error.code).toBe('GRADING_IN_PROGRESS');
    expect((await waitForReport(session.id)).body.data.status).toBe('completed');
  });

  it('clears the previous grade at once: a regraded report shows no old score while pending or running', async () => {
    // First grading: a 500, then an answer, so the old report has 2 attempts.
    model.reply({ error: { status: 500 } });
    model.onChat(() => ({ json: validAnswer(test.caseStudy.rubric) }));
    const session = await sessionOf(test, 'hal');
    const first = (await waitForReport(session.id)).body.data;
    expect(first).toMatchObject({ status: 'completed', attempts: 2, grader: 'model' });
    expect(first.score).toBeGreaterThan(0);

    model.onChat(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return { json: validAnswer(test.caseStudy.rubric) };
    });
    expect((await regrade(session.id)).status).toBe(202);
    const { body } = await listReports('?user_id=hal');

    const [report] = body.data;
    expect(['pending', 'running']).toContain(report.status);
    expect(report).toMatchObject({
      grader: null,
      model: null,
      score: null,
      items: null,
      strengths: null,
      improvements: null,
      narrative: null,
      error: null,
      completed_at: null,
    });
    // Counting starts again (0, or 1 once the new grading has begun).
    expect(report.attempts).toBeLessThanOrEqual(1);
    expect((await waitForReport(session.id)).body.data).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('takes over a report left pending or running past its lease (its consumer died), not one with a live lease', async () => {
    model.onChat(() => ({ json: validAnswer(test.caseStudy.rubric) }));
    const stuck = async (userId: string, status: 'pending' | 'running', age: string) => {
      const session = await gradedSession(test, { userId, score: null, endTime: new Date() });
      await test.db.db.insert(sessionMessages).values(transcript.map((t) => ({ ...t, sessionId: session.id })));
      await test.db.db
        .update(gradeReports)
        .set({ status, score: null, items: null, updatedAt: sql`now() - ${age}::interval` })
        .where(eq(gradeReports.sessionId, session.id));
      return session;
    };
    const live = await stuck('ivy', 'running', '10 seconds');
    const deadRunning = await stuck('jon', 'running', '1 hour');
    const deadPending = await stuck('kim', 'pending', '1 hour');

    const refused = await regrade(live.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'GRADING_IN_PROGRESS', details: { status: 'running' } });
    for (const session of [deadRunning, deadPending]) {
      expect((await regrade(session.id)).status).toBe(202);
      expect((await waitForReport(session.id)).body.data).toMatchObject({
        status: 'completed',
        grader: 'model',
        attempts: 1,
      });
    }
  });

  it('answers 409 SESSION_ACTIVE naming the session (details.session_id) for a session that has not ended', async () => {
    const session = await sessionOf(test, 'fay', { live: true });
    const { status, body } = await regrade(session.id);
    expect(status).toBe(409);
    expect(body.error).toEqual({
      code: 'SESSION_ACTIVE',
      details: { session_id: session.id, session_status: 'active' },
    });
  });

  it("answers 404 for another tenant's session and 403 to a student", async () => {
    const session = await gradedSession(test, { userId: 'gus', score: 10, endTime: new Date() });
    const elsewhere = await insertTenant(test.db.db);
    const outsider = await tokenFor({ userId: 'i-2', tenantId: elsewhere.id, role: 'instructor' });
    expect((await regrade(session.id, outsider)).status).toBe(404);
    expect((await regrade('nope', instructor)).status).toBe(404);
    const student = await studentOf(test, 'gus');
    expect((await regrade(session.id, student.token)).status).toBe(403);
  });
});
