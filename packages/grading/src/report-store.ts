/**
 * The report row through a grading job's life. Each status change writes the
 * report and `sessions.grading_status` in one statement (a data-modifying
 * CTE, so both or neither); reaching a terminal status also notifies
 * `grade_report_done` (delivered on commit) so waiting readers wake at once.
 * One round trip per change keeps the per-job overhead small next to the model call.
 */

import type { RubricItem } from '@sp/core';
import {
  caseStudyVersions,
  type Database,
  enqueueGrading,
  GRADING_QUEUE,
  gradeReports,
  QUEUE_SCHEMA,
  sessionMessages,
  sessions,
} from '@sp/db';
import { and, asc, eq, lt, or, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { GradeOutcome } from './grade-session.js';
import type { GradingInput } from './transcript.js';

export const REPORT_DONE_CHANNEL = 'grade_report_done';

/**
 * Takes the report for grading: pending → running, or a `running` report whose
 * holder stopped renewing its lease (it crashed). Completed and failed reports
 * are never taken, so a duplicate job grades nothing. `attempts` carries on
 * from earlier tries (a regrade starts it again at 0, in `enqueueReport`).
 */
export async function claimReport(db: Database, sessionId: string, leaseSeconds: number): Promise<Claim> {
  const claimed = db.$with('claimed').as(
    db
      .update(gradeReports)
      .set({ status: 'running', error: null, updatedAt: sql`now()` })
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
  if (row) return { outcome: 'claimed', tenantId: row.tenantId };
  const [report] = await db
    .select({ status: gradeReports.status })
    .from(gradeReports)
    .where(eq(gradeReports.sessionId, sessionId));
  if (!report) return { outcome: 'missing' };
  if (report.status === 'completed' || report.status === 'failed') return { outcome: 'done', status: report.status };
  return { outcome: 'busy' };
}

/**
 * What a job found: the report is now its own; already done; held by a live
 * consumer (`busy`: try again later); or gone with its session.
 */
export type Claim =
  | { outcome: 'claimed'; tenantId: string }
  | { outcome: 'done'; status: 'completed' | 'failed' }
  | { outcome: 'busy' }
  | { outcome: 'missing' };

/** Counts one grading attempt; also renews the running report's lease. */
export async function recordAttempt(db: Database, sessionId: string): Promise<void> {
  await db
    .update(gradeReports)
    .set({ attempts: sql`${gradeReports.attempts} + 1`, updatedAt: sql`now()` })
    .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.status, 'running')));
}

/**
 * Running reports whose holder stopped renewing the lease (its consumer died)
 * and that no queued job will pick up: each needs a new grading job, which
 * takes the report over. The dead consumer's own job stays active in the
 * queue until it expires, and then finds the report done.
 */
export async function reportsWithLapsedLease(db: Database, leaseSeconds: number): Promise<string[]> {
  const rows = await db.execute<{ session_id: string }>(sql`
    select r.session_id from ${gradeReports} r
    where r.status = 'running' and r.updated_at < now() - make_interval(secs => ${leaseSeconds})
      and not exists (
        select 1 from ${sql.identifier(QUEUE_SCHEMA)}.job j
        where j.name = ${GRADING_QUEUE} and j.state in ('created', 'retry') and j.data->>'sessionId' = r.session_id::text
      )
    limit 100`);
  return rows.map((r) => r.session_id);
}

/** Tells other consumers the running report's holder is alive. */
export async function renewLease(db: Database, sessionId: string): Promise<void> {
  await db
    .update(gradeReports)
    .set({ updatedAt: sql`now()` })
    .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.status, 'running')));
}

/**
 * The case a session is graded against: its title and rubric, from the version the session pinned,
 * so an edit published since changes neither a grading nor a regrade.
 */
export async function gradedCaseOf(db: Pick<Database, 'select'>, sessionId: string) {
  const [row] = await db
    .select({
      tenantId: sessions.tenantId,
      caseTitle: sql<string>`${caseStudyVersions.content}->>'title'`,
      rubric: sql<RubricItem[]>`${caseStudyVersions.content}->'rubric'`,
    })
    .from(sessions)
    .innerJoin(caseStudyVersions, eq(caseStudyVersions.id, sessions.caseStudyVersionId))
    .where(eq(sessions.id, sessionId));
  return row ?? null;
}

export async function loadGradingInput(db: Database, sessionId: string): Promise<GradingInput | null> {
  const [row, turns] = await Promise.all([
    gradedCaseOf(db, sessionId),
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

/** The database or a transaction on it. */
type Writer = Pick<Database, '$with' | 'with' | 'update'>;

/** Moves a running report on (its fields and status), with the session's grading status and the notification. */
async function settle(db: Writer, sessionId: string, fields: PgUpdateSetSource<typeof gradeReports>) {
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
    integrityFlags: [],
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

/**
 * A consumer stopping before it finished: the report goes back to `pending`
 * for the job's retry, or, when the queue has no retry left for that job,
 * with a new job, so the stop never costs the student a grade.
 */
export async function handBackReport(db: Database, sessionId: string, requeue: boolean) {
  const error = 'the grading consumer stopped before it finished; grading again';
  if (!requeue) return settle(db, sessionId, { status: 'pending', error });
  return db.transaction(async (tx) => {
    const row = await settle(tx, sessionId, { status: 'pending', error });
    if (row) await enqueueGrading(tx, sessionId);
    return row;
  });
}
