/**
 * Ending a session: the one place every ending goes through (the API's /end,
 * a failed resume, the worker's timer). The clock's conditional UPDATE
 * (`stopClock`) lets exactly one racer win; the winner creates the report row and the grading job in the
 * same transaction, so grading is enqueued exactly once per ended session.
 */
import type { GradedEndReason } from '@sp/core';
import { eq, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { type Executor, enqueueGrading } from './grading-queue.js';
import { gradeReports, type Session, sessions } from './schema.js';
import { type StaffEnding, stopClock } from './session-clock.js';

export type EndOutcome = { ended: true; session: Session } | { ended: false; session: Session | null };

/** Ends the session; its report and grading job come with it unless staff ended it ungraded. */
export async function endSession(
  db: Database,
  sessionId: string,
  ending: GradedEndReason | StaffEnding,
): Promise<EndOutcome> {
  return db.transaction(async (tx) => {
    const won = await stopClock(tx, sessionId, ending);
    if (!won) {
      const [current] = await tx.select().from(sessions).where(eq(sessions.id, sessionId));
      return { ended: false, session: current ?? null } as const;
    }
    if (won.gradingStatus === 'pending') await enqueueReport(tx, won.id, won.tenantId);
    return { ended: true, session: won } as const;
  });
}

/**
 * Creates (or resets, for a regrade) the session's report row and enqueues its
 * grading job. A reset clears the previous grade entirely, so a pending or
 * running report never shows an old score.
 */
export async function enqueueReport(
  tx: Executor & Pick<Database, 'insert'>,
  sessionId: string,
  tenantId: string,
): Promise<void> {
  await tx
    .insert(gradeReports)
    .values({ sessionId, tenantId, status: 'pending' })
    .onConflictDoUpdate({
      target: gradeReports.sessionId,
      set: {
        status: 'pending',
        grader: null,
        model: null,
        score: null,
        graderScore: null,
        items: null,
        strengths: null,
        improvements: null,
        narrative: null,
        error: null,
        attempts: 0,
        completedAt: null,
        updatedAt: sql`now()`,
      },
    });
  await enqueueGrading(tx, sessionId);
}
