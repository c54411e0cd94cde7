/**
 * The tenant's sessions as staff read them: one filter (the list, one session, both CSV exports), one
 * select with the case title, the report's score and the live elapsed time, evaluated by the database
 * (`liveElapsedSql`, the same rule as `activeTime`).
 */
import { endOf, type StaffSessionFilters, startOf } from '@sp/core';
import { caseIdsNamed, caseStudies, type Database, gradeReports, liveElapsedSql, sessions } from '@sp/db';
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';

/** The SQL condition for a tenant's sessions under the staff filters. */
export function staffSessionWhere(tenantId: string, f: Partial<StaffSessionFilters>, sessionId?: string): SQL {
  return and(
    eq(sessions.tenantId, tenantId),
    sessionId ? eq(sessions.id, sessionId) : undefined,
    // Authors' preview sessions are no student's work: out of the lists and exports (still readable by id).
    sessionId ? undefined : eq(sessions.preview, false),
    f.user_id ? eq(sessions.userId, f.user_id) : undefined,
    // The case's id or the client's external id for it.
    f.content_id ? sql`${sessions.contentId} in (${caseIdsNamed(tenantId, f.content_id)})` : undefined,
    f.status ? eq(sessions.status, f.status) : undefined,
    f.end_reason ? eq(sessions.endReason, f.end_reason) : undefined,
    f.channel ? eq(sessions.channel, f.channel) : undefined,
    f.from ? gte(sessions.createdAt, startOf(f.from)) : undefined,
    f.to ? lte(sessions.createdAt, endOf(f.to)) : undefined,
    f.min_score === undefined ? undefined : gte(gradeReports.score, f.min_score),
    f.max_score === undefined ? undefined : lte(gradeReports.score, f.max_score),
    f.metadata_key ? sql`${sessions.metadata} ? ${f.metadata_key}` : undefined,
    f.metadata_key && f.metadata_value !== undefined
      ? sql`${sessions.metadata} ->> ${f.metadata_key} = ${f.metadata_value}`
      : undefined,
  ) as SQL;
}

const staffColumns = {
  session: sessions,
  liveElapsed: liveElapsedSql,
  caseTitle: caseStudies.title,
  score: gradeReports.score,
  graderScore: gradeReports.graderScore,
  grader: gradeReports.grader,
  // created_at to the microsecond (a JS Date keeps milliseconds): where an export's next batch starts.
  createdAtExact: sql<string>`${sessions.createdAt}::text`,
};

/** The joined query, before its condition: sessions with their case and (when graded) their report. */
function staffSelect(db: Database) {
  return db
    .select(staffColumns)
    .from(sessions)
    .innerJoin(caseStudies, eq(caseStudies.id, sessions.contentId))
    .leftJoin(gradeReports, eq(gradeReports.sessionId, sessions.id));
}

export type StaffSessionRow = Awaited<ReturnType<ReturnType<typeof staffSelect>['execute']>>[number];

const newestFirst = [desc(sessions.createdAt), desc(sessions.id)];

/** A page of the list, newest first, and how many match. */
export async function listStaffSessions(db: Database, where: SQL, page: { skip: number; limit: number }) {
  const [rows, [counted]] = await Promise.all([
    staffSelect(db)
      .where(where)
      .orderBy(...newestFirst)
      .offset(page.skip)
      .limit(page.limit),
    db
      .select({ total: sql<number>`count(*)::int` })
      .from(sessions)
      .leftJoin(gradeReports, eq(gradeReports.sessionId, sessions.id))
      .where(where),
  ]);
  return { rows, total: counted?.total ?? 0 };
}

export async function staffSession(db: Database, tenantId: string, sessionId: string) {
  const [row] = await staffSelect(db).where(staffSessionWhere(tenantId, {}, sessionId));
  return row ?? null;
}

/**
 * Every matching row, newest first, a batch at a time (keyset paging on created_at, id): an export reads
 * one batch per pull, so memory holds one batch whatever the tenant's size.
 */
export async function* staffSessionBatches(db: Database, where: SQL, batchSize = 500) {
  let after: { createdAt: string; id: string } | null = null;
  for (;;) {
    const before: SQL | undefined = after
      ? or(
          sql`${sessions.createdAt} < ${after.createdAt}::timestamptz`,
          and(sql`${sessions.createdAt} = ${after.createdAt}::timestamptz`, lt(sessions.id, after.id)),
        )
      : undefined;
    const rows = await staffSelect(db)
      .where(and(where, before))
      .orderBy(...newestFirst)
      .limit(batchSize);
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1] as StaffSessionRow;
    after = { createdAt: last.createdAtExact, id: last.session.id };
    if (rows.length < batchSize) return;
  }
}
