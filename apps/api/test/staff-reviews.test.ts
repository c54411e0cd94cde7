/**
 * Verdict reviews: an instructor confirms or corrects an item's verdict; the report shows both side by
 * side, its score follows the correction, reviews stay as labels, and grader agreement (overall, per
 * case, per grader) and the cohort view count them. Another tenant's staff change nothing.
 */
import { gradeReports, type ReportItem, verdictReviews } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { scoreOf } from '@sp/grading';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const db = test.db.db;
const tenantId = test.tenant.id;
const instructor = await tokenFor({ userId: 'ines', tenantId, role: 'instructor' });
const elsewhere = await insertTenant(db);
const outsider = await tokenFor({ userId: 'oscar', tenantId: elsewhere.id, role: 'instructor' });

const cs = await insertCaseStudy(db, tenantId, { maxAttempts: 20, title: 'Reviewed case' });
const rubric = cs.rubric;
const [first, second] = rubric.map((r) => r.id) as [string, string];

/** An ended session of `userId` with a completed report: every item met unless `verdicts` says otherwise. */
async function graded(
  userId: string,
  grader: 'model' | 'heuristic',
  verdicts: Record<string, ReportItem['verdict']> = {},
  created = new Date(),
) {
  const session = await insertSession(db, {
    tenantId,
    userId,
    contentId: cs.id,
    status: 'ended',
    endReason: 'user_ended',
    gradingStatus: 'completed',
    createdAt: created,
  });
  const items: ReportItem[] = rubric.map((r) => ({
    item_id: r.id,
    verdict: verdicts[r.id] ?? 'met',
    evidence: [2],
    justification: `About ${r.title}`,
  }));
  await db.insert(gradeReports).values({
    sessionId: session.id,
    tenantId,
    status: 'completed',
    grader,
    score: scoreOf(rubric, items),
    items,
    completedAt: new Date(),
  });
  return session;
}

const review = (sessionId: string, itemId: string, json: unknown, token = instructor) =>
  send(test.app, 'POST', `/v1/admin/sessions/${sessionId}/report/items/${itemId}/review`, { token, json });

describe('POST /v1/admin/sessions/{session_id}/report/items/{item_id}/review', () => {
  it("corrects a verdict: the report shows both, the score follows, the grader's score is kept", async () => {
    const session = await graded('ana', 'model');
    expect((await db.select().from(gradeReports).where(eq(gradeReports.sessionId, session.id)))[0]?.score).toBe(100);

    const { status, body } = await review(session.id, first, {
      action: 'correct',
      verdict: 'not_met',
      note: 'Never introduced themselves',
    });

    expect(status).toBe(200);
    const expected = scoreOf(rubric, [
      { item_id: first, verdict: 'not_met' as const },
      ...rubric.slice(1).map((r) => ({ item_id: r.id, verdict: 'met' as const })),
    ]);
    expect(expected).toBeLessThan(100);
    expect(body.data).toMatchObject({ score: expected, grader_score: 100 });
    expect(body.data.items[0]).toMatchObject({
      item_id: first,
      grader_verdict: 'met',
      verdict: 'not_met',
      review: {
        action: 'correct',
        verdict: 'not_met',
        agreed: false,
        note: 'Never introduced themselves',
        reviewed_by: 'ines',
      },
    });
    expect(body.data.items[1]).toMatchObject({ item_id: second, grader_verdict: 'met', verdict: 'met', review: null });

    // Everyone reading the report sees the corrected score: staff's session view, and the student's report.
    const staffView = await send(test.app, 'GET', `/v1/admin/sessions/${session.id}`, { token: instructor });
    expect(staffView.body.data).toMatchObject({ score: expected, report: { score: expected, grader_score: 100 } });
    const student = await tokenFor({ userId: 'ana', tenantId, role: 'student' });
    const own = await send(test.app, 'GET', `/v1/sessions/${session.id}/report`, { token: student });
    expect(own.body.data.score).toBe(expected);

    // Confirming the grader's verdict afterwards puts the score back: the latest review counts.
    const confirmed = await review(session.id, first, { action: 'confirm' });
    expect(confirmed.body.data).toMatchObject({ score: 100, grader_score: 100 });
    expect(confirmed.body.data.items[0]).toMatchObject({ verdict: 'met', review: { action: 'confirm', agreed: true } });
    // Both stay as labels.
    const labels = await db.select().from(verdictReviews).where(eq(verdictReviews.sessionId, session.id));
    expect(labels.map((l) => [l.action, l.graderVerdict, l.verdict, l.grader])).toEqual([
      ['correct', 'met', 'not_met', 'model'],
      ['confirm', 'met', 'met', 'model'],
    ]);
  });

  it('refuses a correction without a note or verdict (422), an unknown item (404), an unfinished report (409)', async () => {
    const session = await graded('ben', 'heuristic');
    const noNote = await review(session.id, first, { action: 'correct', verdict: 'not_met' });
    expect(noNote.status).toBe(422);
    expect(noNote.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['note']);
    expect((await review(session.id, first, { action: 'correct', verdict: 'great', note: 'x' })).status).toBe(422);
    expect((await review(session.id, first, { action: 'approve' })).status).toBe(422);
    expect((await review(session.id, 'no-such-item', { action: 'confirm' })).status).toBe(404);

    const live = await insertSession(db, { tenantId, userId: 'ben', contentId: cs.id, status: 'active' });
    expect((await review(live.id, first, { action: 'confirm' })).status).toBe(404);
    await db.update(gradeReports).set({ status: 'running' }).where(eq(gradeReports.sessionId, session.id));
    const running = await review(session.id, first, { action: 'confirm' });
    expect(running.status).toBe(409);
    expect(running.body.error).toMatchObject({ code: 'REPORT_NOT_COMPLETED', details: { status: 'running' } });
    expect(await db.select().from(verdictReviews).where(eq(verdictReviews.sessionId, session.id))).toEqual([]);
  });

  it("changes nothing in another tenant's report (404)", async () => {
    const session = await graded('cal', 'model');
    const theirs = await review(session.id, first, { action: 'correct', verdict: 'not_met', note: 'x' }, outsider);
    expect(theirs.status).toBe(404);
    const [report] = await db.select().from(gradeReports).where(eq(gradeReports.sessionId, session.id));
    expect(report).toMatchObject({ score: 100, graderScore: null });
  });

  it('a regrade starts a new grading: earlier reviews no longer change the report but stay as labels', async () => {
    const session = await graded('dee', 'model');
    await review(session.id, first, { action: 'correct', verdict: 'not_met', note: 'Missed it' });
    // The regrade's new grading completes later with the grader's own verdicts.
    await db
      .update(gradeReports)
      .set({ score: 100, graderScore: null, completedAt: new Date(Date.now() + 1000) })
      .where(eq(gradeReports.sessionId, session.id));
    const { body } = await send(test.app, 'GET', `/v1/admin/sessions/${session.id}`, { token: instructor });
    expect(body.data.report).toMatchObject({ score: 100, grader_score: 100 });
    expect(body.data.report.items[0]).toMatchObject({ grader_verdict: 'met', verdict: 'met', review: null });
    expect(await db.select().from(verdictReviews).where(eq(verdictReviews.sessionId, session.id))).toHaveLength(1);
  });
});

describe('grader agreement and the cohort', () => {
  it('counts the latest review of each item, split by grader, per case and overall', async () => {
    const other = await insertCaseStudy(db, tenantId, { title: 'Another case' });
    const modelGraded = await graded('eve', 'model');
    const offline = await graded('fay', 'heuristic');
    await review(modelGraded.id, first, { action: 'correct', verdict: 'partially_met', note: 'Only the name' });
    await review(modelGraded.id, second, { action: 'confirm' });
    await review(offline.id, first, { action: 'confirm' });
    await review(offline.id, second, { action: 'correct', verdict: 'not_met', note: 'No' });
    await review(offline.id, second, { action: 'confirm', note: 'On reflection, fine' });

    const { status, body } = await send(test.app, 'GET', `/v1/admin/grader-agreement?content_id=${cs.id}`, {
      token: instructor,
    });
    expect(status).toBe(200);
    // Earlier tests in this file reviewed this case too; count them from the labels themselves.
    const { overall } = body.data;
    expect(overall.by_grader.heuristic).toMatchObject({ reviewed_items: 2, agreed_items: 2, agreement: 1 });
    expect(overall.reviewed_items).toBe(overall.by_grader.model.reviewed_items + 2);
    expect(overall.agreement).toBeCloseTo(overall.agreed_items / overall.reviewed_items, 10);
    expect(body.data.by_case).toHaveLength(1);
    expect(body.data.by_case[0]).toMatchObject({ content_id: cs.id, case_title: 'Reviewed case' });

    // Reviews made in a range: none were made before 2000.
    const early = await send(test.app, 'GET', `/v1/admin/grader-agreement?content_id=${cs.id}&to=1999-12-31`, {
      token: instructor,
    });
    expect(early.body.data.overall.reviewed_items).toBe(0);
    const none = await send(test.app, 'GET', `/v1/admin/grader-agreement?content_id=${other.id}`, {
      token: instructor,
    });
    expect(none.body.data.overall).toMatchObject({ reviewed_items: 0, agreed_items: 0, agreement: null });
    const theirs = await send(test.app, 'GET', '/v1/admin/grader-agreement', { token: outsider });
    expect(theirs.body.data.overall.reviewed_items).toBe(0);
    expect(
      (await send(test.app, 'GET', `/v1/admin/grader-agreement?content_id=${cs.id}`, { token: outsider })).status,
    ).toBe(404);
  });

  it("shows one case's attempts, scores and per rubric item the share of students who met it", async () => {
    const fresh = await insertCaseStudy(db, tenantId, { title: 'Cohort case', maxAttempts: 10 });
    const items = (verdicts: ReportItem['verdict'][]) =>
      fresh.rubric.map((r, i) => ({ item_id: r.id, verdict: verdicts[i] ?? 'met', evidence: [], justification: '' }));
    async function attempt(userId: string, verdicts: ReportItem['verdict'][], minute: number, preview = false) {
      const s = await insertSession(db, {
        tenantId,
        userId,
        contentId: fresh.id,
        ...(preview && { preview, attemptNumber: 0 }),
        status: 'ended',
        endReason: 'user_ended',
        createdAt: new Date(Date.UTC(2026, 2, 1, 9, minute)),
      });
      const reportItems = items(verdicts);
      await db.insert(gradeReports).values({
        sessionId: s.id,
        tenantId,
        status: 'completed',
        grader: 'model',
        score: scoreOf(fresh.rubric, reportItems),
        items: reportItems,
        completedAt: new Date(),
      });
      return s;
    }
    // gus: first attempt missed item 1, the latest met it; hal: one attempt missing item 1, corrected to met.
    await attempt('gus', ['not_met'], 1);
    await attempt('gus', ['met'], 2);
    const hal = await attempt('hal', ['not_met', 'not_met'], 3);
    await review(hal.id, fresh.rubric[0]?.id as string, { action: 'correct', verdict: 'met', note: 'Said it' });
    // An author's preview, graded and reviewed: no student's work, so in no figure.
    const preview = await attempt('ines', ['not_met', 'not_met'], 5, true);
    await review(preview.id, fresh.rubric[1]?.id as string, { action: 'confirm' });
    // Never started: not an attempt.
    await insertSession(db, {
      tenantId,
      userId: 'ivy',
      contentId: fresh.id,
      status: 'ended',
      endReason: 'pending_timeout',
    });

    const { status, body } = await send(test.app, 'GET', `/v1/admin/cohorts/${fresh.id}`, { token: instructor });
    expect(status).toBe(200);
    const data = body.data;
    expect(data).toMatchObject({
      content_id: fresh.id,
      case_title: 'Cohort case',
      students: 2,
      attempts: 3,
      graded: 3,
    });
    expect(data.attempts_per_student).toEqual([
      { attempts: 1, students: 1 },
      { attempts: 2, students: 1 },
    ]);
    expect(data.items[0]).toMatchObject({
      item_id: fresh.rubric[0]?.id,
      students: 2,
      met: 2,
      not_met: 0,
      share_met: 1,
    });
    expect(data.items[1]).toMatchObject({ students: 2, met: 1, not_met: 1, share_met: 0.5 });
    expect(data.score.count).toBe(3);
    expect(data.score.max).toBe(100);
    expect(data.score.histogram).toHaveLength(10);
    expect(data.score.histogram.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(3);
    expect(data.score.histogram[9].count).toBeGreaterThanOrEqual(1);
    expect(data.agreement).toMatchObject({ reviewed_items: 1, agreed_items: 0, agreement: 0 });

    const previewed = await send(test.app, 'GET', `/v1/admin/sessions/${preview.id}`, { token: instructor });
    expect(previewed.body.data).toMatchObject({ id: preview.id, preview: true });
    const listed = await send(test.app, 'GET', `/v1/admin/sessions?content_id=${fresh.id}&limit=100`, {
      token: instructor,
    });
    expect(listed.body.data.map((s: { id: string }) => s.id)).not.toContain(preview.id);
    const students = await send(test.app, 'GET', '/v1/admin/students?limit=100', { token: instructor });
    expect(students.body.data.map((s: { user_id: string }) => s.user_id)).not.toContain('ines');
    const before = await send(test.app, 'GET', `/v1/admin/cohorts/${fresh.id}?to=2026-03-01T09:01:30Z`, {
      token: instructor,
    });
    expect(before.body.data).toMatchObject({ students: 1, attempts: 1, graded: 1 });
    expect(before.body.data.items[0]).toMatchObject({ students: 1, met: 0, not_met: 1, share_met: 0 });
    expect((await send(test.app, 'GET', `/v1/admin/cohorts/${fresh.id}`, { token: outsider })).status).toBe(404);
    const student = await studentOf(test);
    expect((await send(test.app, 'GET', `/v1/admin/cohorts/${fresh.id}`, { token: student.token })).status).toBe(403);
  });
});
