/**
 * The report row through a grading job's life. Each status change writes the
 * report and `sessions.grading_status` in one statement (a data-modifying
 * CTE, so both or neither); reaching a terminal status also notifies
 * `grade_report_done` (delivered on commit) so waiting readers wake at once.
 * One round trip per change keeps the per-job overhead small next to the model call.
 */
import { caseStudies, type Database, gradeReports, sessionMessages, sessions } from '@sp/db';
import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { GradeOutcome } from './grade-session.js';
import type { GradingInput } from './transcript.js';

export const REPORT_DONE_CHANNEL = 'grade_report_done';

/**
 * Takes the report for grading: pending → running, or a `running` report whose
 * holder stopped renewing its lease (it crashed). Completed and failed reports
 * are never taken, so a duplicate job grades nothing. Null when not taken.
 */
export async function claimReport(db: Database, sessionId: string, leaseSeconds: number) {
  const claimed = db.$with('claimed').as(
    db
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
      .returning({ sessionId: gradeReports.sessionId, tenantId: gradeReports.tenantId }),
  );
  const [row] = await db
    .with(claimed)
    .update(sessions)
    .set({ gradingStatus: 'running' })
    .from(claimed)
    .where(eq(sessions.id, claimed.sessionId))
    .returning({ tenantId: claimed.tenantId });
  return row ?? null;
}

/** Counts one grading attempt; also renews the running report's lease. */
export async function recordAttempt(db: Database, sessionId: string): Promise<void> {
  await db
    .update(gradeReports)
    .set({ attempts: sql`${gradeReports.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.status, 'running')));
}

export async function loadGradingInput(db: Database, sessionId: string): Promise<GradingInput | null> {
  const [[row], turns] = await Promise.all([
    db
      .select({ tenantId: sessions.tenantId, caseTitle: caseStudies.title, rubric: caseStudies.rubric })
      .from(sessions)
      .innerJoin(caseStudies, eq(caseStudies.id, sessions.contentId))
      .where(eq(sessions.id, sessionId)),
    db
      .select({ sequence: sessionMessages.sequence, role: sessionMessages.role, content: sessionMessages.content })
      .from(sessionMessages)
      .where(eq(sessionMessages.sessionId, sessionId))
      .orderBy(asc(sessionMessages.sequence)),
  ]);
  if (!row) return null;
  const rubric = row.rubric.map((r) => ({ ...r, cues: r.cues ?? [] }));
  return { sessionId, tenantId: row.tenantId, caseTitle: row.caseTitle, rubric, turns };
}

/** Moves a running report on (its fields and status), with the session's grading status and the notification. */
async function settle(db: Database, sessionId: string, fields: PgUpdateSetSource<typeof gradeReports>) {
  const settled = db.$with('settled').as(
    db
      .update(gradeReports)
      .set({ ...fields, updatedAt: sql`now()` })
      .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.status, 'running')))
      .returning({ sessionId: gradeReports.sessionId, status: gradeReports.status, attempts: gradeReports.attempts }),
  );
  const [row] = await db
    .with(settled)
    .update(sessions)
    .set({ gradingStatus: sql`${settled.status}` })
    .from(settled)
    .where(eq(sessions.id, settled.sessionId))
    .returning({
      status: settled.status,
      attempts: settled.attempts,
      notified: sql<string | null>`case when ${settled.status} in ('completed', 'failed')
        then pg_notify(${REPORT_DONE_CHANNEL}, ${settled.sessionId}::text)::text end`,
    });
  return row ?? null;
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
