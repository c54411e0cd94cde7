/**
 * An instructor's regrade: only for an ended session whose grading is not
 * under way; resets the report to pending and enqueues a job in one
 * transaction (the session row lock serialises racing regrades). A report
 * still `pending` or `running` counts as under way only while its lease is
 * live: one left behind by a consumer that died may be taken over.
 */
import { type Database, enqueueReport, gradeReports, sessions } from '@sp/db';
import { and, eq, sql } from 'drizzle-orm';

export type RegradeOutcome =
  | { outcome: 'queued' }
  | { outcome: 'not_found' }
  | { outcome: 'not_ended'; sessionStatus: string }
  | { outcome: 'in_progress'; reportStatus: 'pending' | 'running' };

export async function requestRegrade(
  db: Database,
  tenantId: string,
  sessionId: string,
  leaseSeconds: number,
): Promise<RegradeOutcome> {
  return db.transaction(async (tx) => {
    const [session] = await tx
      .select({ status: sessions.status })
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.tenantId, tenantId)))
      .for('update');
    if (!session) return { outcome: 'not_found' };
    if (session.status !== 'ended') return { outcome: 'not_ended', sessionStatus: session.status };
    const [report] = await tx
      .select({
        status: gradeReports.status,
        leaseLive: sql<boolean>`${gradeReports.updatedAt} >= now() - make_interval(secs => ${leaseSeconds})`,
      })
      .from(gradeReports)
      .where(eq(gradeReports.sessionId, sessionId));
    if ((report?.status === 'pending' || report?.status === 'running') && report.leaseLive) {
      return { outcome: 'in_progress', reportStatus: report.status };
    }
    await enqueueReport(tx, sessionId, tenantId);
    await tx.update(sessions).set({ gradingStatus: 'pending' }).where(eq(sessions.id, sessionId));
    return { outcome: 'queued' };
  });
}
