/**
 * Grading tests run on a real database (with the seeded cases), the real
 * pg-boss queue, and the local OpenAI-wire server that the real `openai`
 * client reaches by base URL.
 */

import type { RubricItem } from '@sp/core';
import { isTerminal } from '@sp/core';
import { type CaseStudy, endSession, type GradeReport, gradeReports, seedDemo, sessionMessages } from '@sp/db';
import { createTestDatabase, insertSession, type TestDatabase } from '@sp/dev-postgres/testing';
import { type ModelProvider, modelProvider } from '@sp/models';
import { type OpenAIServer, startOpenAIServer } from '@sp/testkit';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import {
  type GradingConfig,
  type GradingConsumer,
  gradingConfig,
  type ModelAnswer,
  ReportNotifications,
  startGradingConsumer,
  type TranscriptTurn,
} from '../src/index.js';
import { chestPainTranscript } from './chest-pain-transcript.js';

export const silentLogger = pino({ level: 'silent' });

export interface GradingTest {
  db: TestDatabase;
  server: OpenAIServer;
  config: GradingConfig;
  tenantId: string;
  chestPain: CaseStudy;
  notifications: ReportNotifications;
}

export async function gradingTest(env: Record<string, string> = {}): Promise<GradingTest> {
  const db = await createTestDatabase({ max: 20 });
  const server = await startOpenAIServer();
  afterAll(() => server.close());
  const config = gradingConfig({
    OPENAI_BASE_URL: server.baseURL,
    GRADING_MODEL: 'grader-test',
    GRADING_CONCURRENCY: '2',
    GRADING_MAX_ATTEMPTS: '5',
    GRADING_RETRY_DELAY_MS: '20',
    GRADING_RETRY_MAX_DELAY_MS: '100',
    GRADING_POLL_SECONDS: '0.5',
    ...env,
  });
  const { tenant, caseStudies } = await seedDemo(db.db);
  const chestPain = caseStudies.find((c) => c.slug === 'acute-chest-pain')!;
  return { db, server, config, tenantId: tenant.id, chestPain, notifications: new ReportNotifications(db.sql) };
}

/** A consumer stopped after the file's tests (or earlier by the test). */
export async function consumerFor(
  test: GradingTest,
  options: { provider?: ModelProvider; config?: GradingConfig } = {},
): Promise<GradingConsumer> {
  const config = options.config ?? test.config;
  const consumer = await startGradingConsumer({
    db: test.db.db,
    sql: test.db.sql,
    config,
    logger: silentLogger,
    provider: options.provider ?? modelProvider(config),
  });
  afterAll(() => consumer.stop(5_000));
  return consumer;
}

let students = 0;

/** An active session of a fresh student with the given transcript, not yet ended. */
export async function sessionWith(test: GradingTest, turns: TranscriptTurn[] = chestPainTranscript) {
  const session = await insertSession(test.db.db, {
    tenantId: test.tenantId,
    userId: `student-${++students}`,
    contentId: test.chestPain.id,
    status: 'active',
  });
  if (turns.length) {
    await test.db.db.insert(sessionMessages).values(turns.map((t) => ({ ...t, sessionId: session.id })));
  }
  return session;
}

/** An ended session (grading enqueued by the real endSession). */
export async function endedSession(test: GradingTest, turns: TranscriptTurn[] = chestPainTranscript) {
  const session = await sessionWith(test, turns);
  const outcome = await endSession(test.db.db, session.id, 'user_ended');
  if (!outcome.ended) throw new Error('session did not end');
  return session;
}

export async function reportOf(test: GradingTest, sessionId: string): Promise<GradeReport | undefined> {
  const [row] = await test.db.db.select().from(gradeReports).where(eq(gradeReports.sessionId, sessionId));
  return row;
}

/** Waits, on the report notifications, until the report is completed or failed. */
export async function terminalReport(test: GradingTest, sessionId: string, timeoutMs = 20_000): Promise<GradeReport> {
  const done = (r: GradeReport | undefined) => Boolean(r && isTerminal(r.status));
  const report = await test.notifications.until(sessionId, () => reportOf(test, sessionId), done, timeoutMs);
  if (!report || !done(report)) throw new Error(`report of ${sessionId} is still ${report?.status ?? 'missing'}`);
  return report;
}

/** The session's grading jobs, oldest first. */
export async function jobsOf(test: GradingTest, sessionId: string) {
  return test.db.sql<{ id: string; state: string; retryCount: number }[]>`
    select id, state, retry_count as "retryCount" from pgboss.job
    where name = 'grading' and data->>'sessionId' = ${sessionId} order by created_on, id`;
}

export async function gradingStatusOf(test: GradingTest, sessionId: string) {
  const [row] = await test.db.sql<
    { status: string }[]
  >`select grading_status as status from sessions where id = ${sessionId}`;
  return row?.status;
}

/** A well-formed model answer: every item met, citing the first student turn of the transcript. */
export function validAnswer(rubric: RubricItem[], turns: TranscriptTurn[] = chestPainTranscript): ModelAnswer {
  const firstStudentTurn = turns.find((t) => t.role === 'user')!.sequence;
  return {
    items: rubric.map((r, i) => ({
      item_id: r.id,
      verdict: i % 3 === 2 ? 'not_met' : i % 3 === 1 ? 'partially_met' : 'met',
      evidence: i % 3 === 2 ? [] : [firstStudentTurn],
      justification: `The student addressed ${r.title.toLowerCase()}.`,
    })),
    strengths: ['Clear introduction'],
    improvements: ['Summarise at the end'],
    narrative: 'A structured history with room to improve.',
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
