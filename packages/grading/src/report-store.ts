/**
 * The report row through a grading job's life. Each status change updates
 * `sessions.grading_status` in the same transaction; reaching a terminal
 * status also notifies `grade_report_done` (delivered on commit) so waiting
 * readers wake at once.
 */
import { caseStudies, type Database, type GradeReport, gradeReports, sessionMessages, sessions } from '@sp/db';
import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { GradeOutcome } from './grade-session.js';
import type { GradingInput } from './transcript.js';

export const REPORT_DONE_CHANNEL = 'grade_report_done';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

async function syncSession(tx: Tx, sessionId: string, status: GradeReport['status']) {
  await tx.update(sessions).set({ gradingStatus: status }).where(eq(sessions.id, sessionId));
}

/**
 * Takes the report for grading: pending → running, or a `running` report whose
 * holder stopped renewing its lease (it crashed). Completed and failed reports
 * are never taken, so a duplicate job grades nothing. Null when not taken.
 */
export async function claimReport(db: Database, sessionId: string, leaseSeconds: number): Promise<GradeReport | null> {
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(gradeReports)
      .set({
        status: 'running',
        attempts: sql`case when ${gradeReports.status} = 'pending' then 0 else ${gradeReports.attempts} end`,
        error: null,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(gradeReports.sessionId, sessionId),
          or(
            eq(gradeReports.status, 'pending'),
            and(
              eq(gradeReports.status, 'running'),
              lt(gradeReports.updatedAt, sql`now() - make_interval(secs => ${leaseSeconds})`),
            ),
          ),
        ),
      )
      .returning();
    if (claimed) await syncSession(tx, sessionId, 'running');
    return claimed ?? null;
  });
}

/** Counts one grading attempt; also renews the running report's lease. */
export async function recordAttempt(db: Database, sessionId: string): Promise<void> {
  await db
    .update(gradeReports)
    .set({ attempts: sql`${gradeReports.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.status, 'running')));
}

export async function loadGradingInput(db: Database, sessionId: string): Promise<GradingInput | null> {
  const [row] = await db
    .select({ tenantId: sessions.tenantId, caseTitle: caseStudies.title, rubric: caseStudies.rubric })
    .from(sessions)
    .innerJoin(caseStudies, eq(caseStudies.id, sessions.contentId))
    .where(eq(sessions.id, sessionId));
  if (!row) return null;
  const turns = await db
    .select({ sequence: sessionMessages.sequence, role: sessionMessages.role, content: sessionMessages.content })
    .from(sessionMessages)
    .where(eq(sessionMessages.sessionId, sessionId))
    .orderBy(asc(sessionMessages.sequence));
  const rubric = row.rubric.map((r) => ({ ...r, cues: r.cues ?? [] }));
  return { sessionId, tenantId: row.tenantId, caseTitle: row.caseTitle, rubric, turns };
}

async function settle(db: Database, sessionId: string, fields: PgUpdateSetSource<typeof gradeReports>) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(gradeReports)
      .set({ ...fields, updatedAt: sql`now()` })
      .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.status, 'running')))
      .returning();
    if (!row) return null;
    await syncSession(tx, sessionId, row.status);
    if (row.status === 'completed' || row.status === 'failed') {
      await tx.execute(sql`select pg_notify(${REPORT_DONE_CHANNEL}, ${sessionId})`);
    }
    return row;
  });
}

/** Stores the outcome of a running report: completed with its grade, or failed with the error. */
export async function finishReport(db: Database, sessionId: string, outcome: GradeOutcome) {
  const completedAt = sql`now()`;
  if (outcome.status === 'completed') {
    const { result } = outcome;
    return settle(db, sessionId, { status: 'completed', error: null, completedAt, ...result });
  }
  return settle(db, sessionId, {
    status: 'failed',
    grader: outcome.grader,
    model: outcome.model,
    score: null,
    items: null,
    strengths: null,
    improvements: null,
    narrative: null,
    error: outcome.error,
    completedAt,
  });
}

/**
 * After an unexpected failure (say the database went away): hand the report
 * back to the queue's own retry as `pending`, or, on the queue's last try,
 * mark it failed so it never stays pending forever.
 */
export async function releaseReport(db: Database, sessionId: string, error: string, lastTry: boolean) {
  if (lastTry) return settle(db, sessionId, { status: 'failed', error, completedAt: sql`now()` });
  return settle(db, sessionId, { status: 'pending', error });
}
