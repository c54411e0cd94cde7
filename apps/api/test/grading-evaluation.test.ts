/**
 * The path `pnpm eval:grading` measures: a labelled interview typed into the
 * text channel of a seeded demo case (the offline patient answers), ended, and
 * graded by the real consumer gives the report the offline grader gives on the
 * interview itself, so the figures the command prints are the product's.
 */
import { seedDemo } from '@sp/db';
import { gradingConfig, startGradingConsumer } from '@sp/grading';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluationSet, gradeOffline } from '../../../packages/grading/evaluation/index.js';
import { buildTestApp, send, tokenFor } from './support.js';

const test = await buildTestApp();
const { tenant, caseStudies } = await seedDemo(test.db.db);
const consumer = await startGradingConsumer({
  db: test.db.db,
  sql: test.db.sql,
  logger: pino({ level: 'silent' }),
  config: gradingConfig({ GRADING_POLL_SECONDS: '0.5' }),
});
afterAll(() => consumer.stop(5_000));

const chosen = ['cp-paraphrase', 'cf-keyword-list', 'fp-good', 'cp-held-injection'];

describe('the labelled set through the text channel', () => {
  it.each(chosen)('%s: the report through initialize, messages, end and report is the offline grade', async (id) => {
    const interview = evaluationSet.find((i) => i.id === id)!;
    const caseStudy = caseStudies.find((c) => c.slug === interview.caseSlug)!;
    const token = await tokenFor({ userId: `eval-${id}`, tenantId: tenant.id, role: 'student' });
    const started = await send(test.app, 'POST', '/v1/sessions/initialize', {
      token,
      json: { content_id: caseStudy.id, channel: 'text' },
    });
    expect(started.status).toBe(200);
    const sessionId = started.body.data.session.id;
    for (const body of interview.student) {
      const res = await test.app.request(`/v1/sessions/${sessionId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body }),
      });
      expect(res.status).toBe(200);
      await res.text();
      await test.work.idle();
    }
    expect((await send(test.app, 'POST', `/v1/sessions/${sessionId}/end`, { token })).status).toBe(200);

    const report = await send(
      test.app,
      'GET',
      `/v1/sessions/${sessionId}/report?wait_for_completion=true&timeout_seconds=30`,
      { token },
    );

    const expected = gradeOffline(interview).result;
    expect(report.body.data).toMatchObject({
      status: 'completed',
      grader: 'heuristic',
      score: expected.score,
      integrity_flags: expected.integrityFlags,
      needs_review: expected.integrityFlags.length > 0,
    });
    // The same verdicts and the same evidence: the patient's words never count, so the sequences line up.
    expect(report.body.data.items).toEqual(expected.items);
  });
});
