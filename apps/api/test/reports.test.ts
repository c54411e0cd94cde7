import { sessionMessages } from '@sp/db';
import { insertTenant } from '@sp/dev-postgres/testing';
import { ReportNotifications } from '@sp/grading';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { sessionOf, startGrading, transcript, validAnswer } from './grading-fixtures.js';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const model = await startGrading(test);
const rubric = test.caseStudy.rubric;

const staff = (role: 'instructor' | 'admin', tenantId = test.tenant.id) =>
  tokenFor({ userId: `${role}-${tenantId.slice(0, 8)}`, tenantId, role });
const readReport = (sessionId: string, token: string, query = '') =>
  send(test.app, 'GET', `/v1/sessions/${sessionId}/report${query}`, { token });
const slowModel = (ms: number) =>
  model.onChat(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { json: validAnswer(rubric) };
  });
const wellBehavedModel = () => model.onChat(() => ({ json: validAnswer(rubric) }));

/**
 * Counts the waits the report route starts and the report reads made during
 * them, by wrapping the route's read as it hands it to the notifier.
 */
function countReportReads() {
  const counted = { waits: 0, reads: 0 };
  const until = ReportNotifications.prototype.until;
  const spy = vi.spyOn(ReportNotifications.prototype, 'until').mockImplementation(function (
    this: ReportNotifications,
    sessionId,
    read,
    ...rest
  ) {
    counted.waits++;
    const countedRead = () => {
      counted.reads++;
      return read();
    };
    return until.call(this, sessionId, countedRead, ...rest);
  });
  onTestFinished(() => spy.mockRestore());
  return counted;
}

describe('GET /v1/sessions/{session_id}/report', () => {
  it('answers 200 with the completed report once the student has ended the session', async () => {
    wellBehavedModel();
    const student = await studentOf(test);
    const { body: started } = await student.initialize({ content_id: test.caseStudy.id });
    const sessionId = started.data.session.id;
    await test.db.db.insert(sessionMessages).values(transcript.map((t) => ({ ...t, sessionId })));
    expect((await student.end(sessionId)).status).toBe(200);

    const { status, body } = await readReport(sessionId, student.token, '?wait_for_completion=true&timeout_seconds=30');

    expect(status).toBe(200);
    expect(body.success).toBe(true);
    expect(body.data).toMatchObject({
      session_id: sessionId,
      status: 'completed',
      grader: 'model',
      model: 'grader-test',
    });
    expect(body.data.items).toHaveLength(rubric.length);
    for (const item of body.data.items) expect([2, 4]).toEqual(expect.arrayContaining(item.evidence));
    expect(body.data.score).toBeGreaterThan(0);
    expect(new Date(body.data.completed_at).getTime()).not.toBeNaN();
  });

  it('answers 202 with the grading status while the report is not done', async () => {
    slowModel(3_000);
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId);

    const { status, body } = await readReport(session.id, student.token);

    expect(status).toBe(202);
    expect(body).toMatchObject({ success: true, data: { session_id: session.id } });
    expect(['pending', 'running']).toContain(body.data.status);
  });

  it('long-polls until the report completes, answering well before the timeout', async () => {
    slowModel(1_500);
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId);
    const started = Date.now();

    const { status, body } = await readReport(
      session.id,
      student.token,
      '?wait_for_completion=true&timeout_seconds=60',
    );

    const answeredAt = Date.now();
    expect(status).toBe(200);
    expect(body.data.status).toBe('completed');
    expect(answeredAt - started).toBeGreaterThanOrEqual(1_400);
    expect(answeredAt - started).toBeLessThan(20_000);
    // Woken by the completion itself, not by a later check.
    expect(answeredAt - new Date(body.data.completed_at).getTime()).toBeLessThan(2_000);
  });

  it('waits without polling: one read before waiting, one when woken by the completion', async () => {
    slowModel(1_500);
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId);
    const counted = countReportReads();

    const { status } = await readReport(session.id, student.token, '?wait_for_completion=true&timeout_seconds=60');

    expect(status).toBe(200);
    expect(counted.waits).toBe(1);
    expect(counted.reads).toBeGreaterThanOrEqual(1);
    expect(counted.reads).toBeLessThanOrEqual(2);
  });

  it('reads the report only twice in a wait that times out', async () => {
    slowModel(6_000);
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId);
    const counted = countReportReads();

    const { status } = await readReport(session.id, student.token, '?wait_for_completion=true&timeout_seconds=2');

    expect(status).toBe(202);
    expect(counted).toEqual({ waits: 1, reads: 2 });
  });

  it('times out with 202 and the status when grading outlasts timeout_seconds', async () => {
    slowModel(6_000);
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId);
    const started = Date.now();

    const { status, body } = await readReport(session.id, student.token, '?wait_for_completion=true&timeout_seconds=1');

    expect(status).toBe(202);
    expect(['pending', 'running']).toContain(body.data.status);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers a finished report at once, even when asked to wait', async () => {
    wellBehavedModel();
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId);
    await readReport(session.id, student.token, '?wait_for_completion=true&timeout_seconds=30');
    const started = Date.now();

    const { status } = await readReport(session.id, student.token, '?wait_for_completion=true&timeout_seconds=120');

    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers 409 SESSION_ACTIVE at once for a session that has not ended', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId, { live: true });

    const { status, body } = await readReport(
      session.id,
      student.token,
      '?wait_for_completion=true&timeout_seconds=60',
    );

    expect(status).toBe(409);
    expect(body.error).toEqual({
      code: 'SESSION_ACTIVE',
      details: { session_id: session.id, session_status: 'active' },
    });
  });

  it('answers 422 VALIDATION_ERROR for timeout_seconds outside 1–120 or a bad wait_for_completion', async () => {
    const student = await studentOf(test);
    const session = await sessionOf(test, student.caller.userId, { live: true });
    for (const query of [
      '?timeout_seconds=0',
      '?timeout_seconds=121',
      '?timeout_seconds=abc',
      '?wait_for_completion=yes',
    ]) {
      const { status, body } = await readReport(session.id, student.token, query);
      expect(status, query).toBe(422);
      expect(body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('who may read a report', () => {
  const ownersReport = async () => {
    wellBehavedModel();
    const owner = await studentOf(test);
    const session = await sessionOf(test, owner.caller.userId);
    expect((await readReport(session.id, owner.token, '?wait_for_completion=true&timeout_seconds=30')).status).toBe(
      200,
    );
    return session;
  };

  it("answers 404 to a student reading another student's report", async () => {
    const session = await ownersReport();
    const other = await studentOf(test);

    const { status, body } = await readReport(session.id, other.token, '?wait_for_completion=true&timeout_seconds=5');

    expect(status).toBe(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('answers 404 to an instructor or admin of another tenant', async () => {
    const session = await ownersReport();
    const elsewhere = await insertTenant(test.db.db);
    for (const role of ['instructor', 'admin'] as const) {
      const { status } = await readReport(session.id, await staff(role, elsewhere.id));
      expect(status, role).toBe(404);
    }
  });

  it('lets instructors and admins of the tenant read it', async () => {
    const session = await ownersReport();
    for (const role of ['instructor', 'admin'] as const) {
      const { status, body } = await readReport(session.id, await staff(role));
      expect(status, role).toBe(200);
      expect(body.data.session_id).toBe(session.id);
    }
  });

  it('answers 404 for an unknown or malformed session id, and 401 without a token', async () => {
    const student = await studentOf(test);
    expect((await readReport('00000000-0000-4000-8000-00000000beef', student.token)).status).toBe(404);
    expect((await readReport('not-a-uuid', student.token, '?wait_for_completion=true')).status).toBe(404);
    expect((await send(test.app, 'GET', '/v1/sessions/00000000-0000-4000-8000-00000000beef/report')).status).toBe(401);
  });
});
