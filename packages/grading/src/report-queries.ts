/** How the API reads reports: one session's (with who may see it), and the tenant's, filtered and paged. */

import type { ReportStatus, TenantReportView } from '@sp/core';
import { caseIdsNamed, caseStudies, type Database, type GradeReport, gradeReports, sessions } from '@sp/db';
import { and, count, desc, eq, gte, lte, type SQL, sql } from 'drizzle-orm';
import { reportView } from './report.js';

/** Who is reading: staff see their tenant; a student (userId set) only their own sessions. */
export interface ReportViewer {
  tenantId: string;
  userId?: string;
}

export interface SessionReport {
  sessionStatus: string;
  report: GradeReport | null;
}

export async function visibleReport(
  db: Database,
  sessionId: string,
  viewer: ReportViewer,
): Promise<SessionReport | null> {
  const [row] = await db
    .select({ sessionStatus: sessions.status, report: gradeReports })
    .from(sessions)
    .leftJoin(gradeReports, eq(gradeReports.sessionId, sessions.id))
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.tenantId, viewer.tenantId),
        viewer.userId === undefined ? undefined : eq(sessions.userId, viewer.userId),
      ),
    );
  return row ?? null;
}

export interface ReportFilters {
  contentId?: string;
  userId?: string;
  /** Sessions that ended at or after this instant. */
  from?: Date;
  /** Sessions that ended at or before this instant. */
  to?: Date;
  minScore?: number;
  maxScore?: number;
  status?: ReportStatus;
  /** Reports with integrity flags (true) or without (false). */
  needsReview?: boolean;
  skip: number;
  limit: number;
}

/** The tenant's reports, most recently ended session first. */
export async function listReports(db: Database, tenantId: string, f: ReportFilters) {
  const conditions: (SQL | undefined)[] = [
    eq(gradeReports.tenantId, tenantId),
    // Authors' preview sessions are kept out of the tenant's reports and figures.
    eq(sessions.preview, false),
    // The case's id or the client's external id for it.
    f.contentId ? sql`${sessions.contentId} in (${caseIdsNamed(sessions.tenantId, f.contentId)})` : undefined,
    f.userId ? eq(sessions.userId, f.userId) : undefined,
    f.from ? gte(sessions.endTime, f.from) : undefined,
    f.to ? lte(sessions.endTime, f.to) : undefined,
    f.minScore === undefined ? undefined : gte(gradeReports.score, f.minScore),
    f.maxScore === undefined ? undefined : lte(gradeReports.score, f.maxScore),
    f.status ? eq(gradeReports.status, f.status) : undefined,
    f.needsReview === undefined
      ? undefined
      : f.needsReview
        ? sql`jsonb_array_length(${gradeReports.integrityFlags}) > 0`
        : sql`jsonb_array_length(${gradeReports.integrityFlags}) = 0`,
  ];
  const where = and(...conditions);
  const [rows, [{ total } = { total: 0 }]] = await Promise.all([
    db
      .select({
        report: gradeReports,
        userId: sessions.userId,
        contentId: sessions.contentId,
        caseTitle: caseStudies.title,
        endedAt: sessions.endTime,
      })
      .from(gradeReports)
      .innerJoin(sessions, eq(sessions.id, gradeReports.sessionId))
      .innerJoin(caseStudies, eq(caseStudies.id, sessions.contentId))
      .where(where)
      .orderBy(desc(sessions.endTime), desc(gradeReports.id))
      .limit(f.limit)
      .offset(f.skip),
    db
      .select({ total: count() })
      .from(gradeReports)
      .innerJoin(sessions, eq(sessions.id, gradeReports.sessionId))
      .where(where),
  ]);
  const views: TenantReportView[] = rows.map((r) => ({
    ...reportView(r.report),
    user_id: r.userId,
    content_id: r.contentId,
    case_title: r.caseTitle,
    ended_at: r.endedAt?.toISOString() ?? null,
  }));
  return { rows: views, total };
}
