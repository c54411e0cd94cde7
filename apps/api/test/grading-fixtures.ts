/**
 * Grading pieces for API tests: the local OpenAI-wire server, a real grading
 * consumer on the test database's pg-boss queue, and ended sessions with a
 * transcript.
 */
import type { RubricItem } from '@sp/core';
import { endSession, gradeReports, sessionMessages } from '@sp/db';
import { insertSession } from '@sp/dev-postgres/testing';
import { gradingConfig, type ModelAnswer, startGradingConsumer } from '@sp/grading';
import { type OpenAIServer, startOpenAIServer } from '@sp/testkit';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import type { TestApp } from './support.js';

export const transcript = [
  { sequence: 1, role: 'assistant' as const, content: "Hello doctor, I've been so tired lately." },
  {
    sequence: 2,
    role: 'user' as const,
    content: "Hello, my name is Sam, I'm a medical student. What brings you in today?",
  },
  { sequence: 3, role: 'assistant' as const, content: "I'm exhausted and always thirsty." },
  { sequence: 4, role: 'user' as const, content: 'How long has that been going on? Are you passing more urine?' },
];

/** Every item met or partially met on the student's turns 2 and 4. */
export function validAnswer(rubric: RubricItem[]): ModelAnswer {
  return {
    items: rubric.map((r, i) => ({
      item_id: r.id,
      verdict: i % 2 ? 'partially_met' : 'met',
      evidence: i % 2 ? [4] : [2],
      justification: `Covered ${r.title.toLowerCase()}.`,
    })),
    strengths: ['Clear opening'],
    improvements: ['Explore the patient’s concerns'],
    narrative: 'A good start to the history.',
  };
}

/** The model server (answering well unless a test says otherwise) and a consumer grading through it. */
export async function startGrading(test: TestApp): Promise<OpenAIServer> {
  const server = await startOpenAIServer();
  server.onChat(() => ({ json: validAnswer(test.caseStudy.rubric) }));
  const consumer = await startGradingConsumer({
    db: test.db.db,
    sql: test.db.sql,
    logger: pino({ level: 'silent' }),
    config: gradingConfig({
      OPENAI_BASE_URL: server.baseURL,
      GRADING_MODEL: 'grader-test',
      GRADING_CONCURRENCY: '4',
      GRADING_MAX_ATTEMPTS: '2',
      GRADING_RETRY_DELAY_MS: '20',
      GRADING_POLL_SECONDS: '0.5',
    }),
  });
  afterAll(async () => {
    await consumer.stop(5_000);
    await server.close();
  });
  return server;
}

/** A session of the student with the transcript; ended (grading enqueued) unless `live`. */
export async function sessionOf(test: TestApp, userId: string, options: { live?: boolean; tenantId?: string } = {}) {
  const session = await insertSession(test.db.db, {
    tenantId: options.tenantId ?? test.tenant.id,
    userId,
    contentId: test.caseStudy.id,
    status: 'active',
  });
  await test.db.db.insert(sessionMessages).values(transcript.map((t) => ({ ...t, sessionId: session.id })));
  if (!options.live) await endSession(test.db.db, session.id, 'user_ended');
  return session;
}

/** An ended session with a finished report written directly (no job), for list filters. */
export async function gradedSession(
  test: TestApp,
  fields: { userId: string; score: number | null; status?: 'completed' | 'failed'; endTime: Date; contentId?: string },
) {
  const session = await insertSession(test.db.db, {
    tenantId: test.tenant.id,
    userId: fields.userId,
    contentId: fields.contentId ?? test.caseStudy.id,
    status: 'ended',
    isActive: false,
    endReason: 'user_ended',
    endTime: fields.endTime,
    gradingStatus: fields.status ?? 'completed',
  });
  await test.db.db.insert(gradeReports).values({
    sessionId: session.id,
    tenantId: test.tenant.id,
    status: fields.status ?? 'completed',
    grader: 'heuristic',
    score: fields.score,
    items: [],
    attempts: 1,
    completedAt: fields.endTime,
  });
  return session;
}
