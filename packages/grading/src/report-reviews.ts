/**
 * Instructors' reviews of a report's verdicts: a confirmation or a correction (with a note) of one item,
 * kept as a label in `verdict_reviews`. The latest review of an item for the report's current grading
 * counts: the report shows the grader's verdict beside it, and its score follows it. Grader agreement is
 * the share of reviewed items where the grader's verdict was the instructor's.
 */
import type {
  Agreement,
  ItemReview,
  ItemReviewRequest,
  RubricItem,
  StaffReport,
  StaffReportItem,
  Verdict,
} from '@sp/core';
import { type Database, type GradeReport, gradeReports, sessions, type VerdictReview, verdictReviews } from '@sp/db';
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { scoreOf } from './report.js';
import { gradedCaseOf } from './report-store.js';

type Rubric = Pick<RubricItem, 'id' | 'title' | 'weight'>[];

/** The latest review of each item among `reviews` (any order), by item id. */
export function latestReviews(reviews: VerdictReview[]): Map<string, VerdictReview> {
  const latest = new Map<string, VerdictReview>();
  for (const review of reviews) {
    const seen = latest.get(review.itemId);
    if (
      !seen ||
      seen.createdAt < review.createdAt ||
      (seen.createdAt.getTime() === review.createdAt.getTime() && seen.id < review.id)
    ) {
      latest.set(review.itemId, review);
    }
  }
  return latest;
}

/** Each rubric item with the grader's verdict, the verdict that counts, and its review. */
export function reviewedItems(
  rubric: Rubric,
  report: Pick<GradeReport, 'items'>,
  reviews: Map<string, VerdictReview>,
): StaffReportItem[] {
  const graded = new Map((report.items ?? []).map((item) => [item.item_id, item]));
  return rubric.map((r) => {
    const item = graded.get(r.id);
    const review = reviews.get(r.id);
    const graderVerdict: Verdict = item?.verdict ?? 'not_met';
    return {
      item_id: r.id,
      title: r.title,
      weight: r.weight,
      grader_verdict: graderVerdict,
      verdict: review?.verdict ?? graderVerdict,
      evidence: item?.evidence ?? [],
      justification: item?.justification ?? '',
      review: review ? reviewView(review) : null,
    };
  });
}

function reviewView(review: VerdictReview): ItemReview {
  return {
    action: review.action,
    verdict: review.verdict,
    agreed: review.verdict === review.graderVerdict,
    note: review.note,
    reviewed_by: review.reviewedBy,
    reviewed_at: review.createdAt.toISOString(),
  };
}

/** The reviews of the report's current grading (none before it completed). */
async function currentReviews(db: Pick<Database, 'select'>, report: GradeReport) {
  if (!report.completedAt) return new Map<string, VerdictReview>();
  const rows = await db
    .select()
    .from(verdictReviews)
    .where(and(eq(verdictReviews.sessionId, report.sessionId), eq(verdictReviews.gradedAt, report.completedAt)))
    .orderBy(asc(verdictReviews.createdAt), asc(verdictReviews.id));
  return latestReviews(rows);
}

function staffReportView(report: GradeReport, items: StaffReportItem[]): StaffReport {
  return {
    session_id: report.sessionId,
    status: report.status,
    grader: report.grader,
    model: report.model,
    score: report.score,
    grader_score: report.graderScore ?? report.score,
    items: report.status === 'completed' ? items : [],
    strengths: report.strengths,
    improvements: report.improvements,
    narrative: report.narrative,
    error: report.error,
    integrity_flags: report.integrityFlags ?? [],
    needs_review: (report.integrityFlags ?? []).length > 0,
    completed_at: report.completedAt?.toISOString() ?? null,
  };
}

/** A session's report as staff see it (grader and reviews side by side), or null when it has none. */
export async function staffReportOf(db: Database, tenantId: string, sessionId: string): Promise<StaffReport | null> {
  const [report] = await db
    .select()
    .from(gradeReports)
    .where(and(eq(gradeReports.sessionId, sessionId), eq(gradeReports.tenantId, tenantId)));
  if (!report) return null;
  const [graded, reviews] = await Promise.all([gradedCaseOf(db, sessionId), currentReviews(db, report)]);
  return staffReportView(report, reviewedItems(graded?.rubric ?? [], report, reviews));
}

export type ReviewOutcome =
  | { outcome: 'reviewed'; report: StaffReport }
  | { outcome: 'not_found' }
  | { outcome: 'no_such_item' }
  | { outcome: 'not_completed'; status: GradeReport['status'] };

/**
 * Records one review and moves the report's score to follow it, in one transaction holding the report
 * row (a racing review or regrade waits). The grader's own score is kept in `grader_score`.
 */
export async function reviewItem(
  db: Database,
  target: { tenantId: string; sessionId: string; itemId: string; reviewer: string },
  request: ItemReviewRequest,
): Promise<ReviewOutcome> {
  return db.transaction(async (tx) => {
    const [report] = await tx
      .select()
      .from(gradeReports)
      .where(and(eq(gradeReports.sessionId, target.sessionId), eq(gradeReports.tenantId, target.tenantId)))
      .for('update');
    if (!report) return { outcome: 'not_found' } as const;
    if (report.status !== 'completed' || !report.completedAt || !report.grader) {
      return { outcome: 'not_completed', status: report.status } as const;
    }
    const graded = await gradedCaseOf(tx, target.sessionId);
    const rubric = graded?.rubric ?? [];
    if (!rubric.some((r) => r.id === target.itemId)) return { outcome: 'no_such_item' } as const;
    const graderVerdict = report.items?.find((i) => i.item_id === target.itemId)?.verdict ?? 'not_met';
    await tx.insert(verdictReviews).values({
      tenantId: target.tenantId,
      sessionId: target.sessionId,
      itemId: target.itemId,
      action: request.action,
      grader: report.grader,
      graderVerdict,
      verdict: request.action === 'confirm' ? graderVerdict : request.verdict,
      note: request.note ?? null,
      reviewedBy: target.reviewer,
      gradedAt: report.completedAt,
    });
    const reviews = await currentReviews(tx, report);
    const items = reviewedItems(rubric, report, reviews);
    const score = scoreOf(rubric, items);
    const [updated] = await tx
      .update(gradeReports)
      .set({ graderScore: sql`coalesce(${gradeReports.graderScore}, ${gradeReports.score})`, score })
      .where(eq(gradeReports.sessionId, target.sessionId))
      .returning();
    return { outcome: 'reviewed', report: staffReportView(updated ?? report, items) } as const;
  });
}

/** Reviewed and agreed counts by case and grader: the latest review of each item of each grading. */
export async function agreementCounts(
  db: Database,
  tenantId: string,
  only: { contentId?: string; from?: Date; to?: Date } = {},
) {
  const conditions: (SQL | undefined)[] = [
    eq(verdictReviews.tenantId, tenantId),
    // An author's previews are no student's work: their reviews say nothing of the grader on students.
    eq(sessions.preview, false),
    only.contentId ? eq(sessions.contentId, only.contentId) : undefined,
    only.from ? sql`${verdictReviews.createdAt} >= ${only.from.toISOString()}::timestamptz` : undefined,
    only.to ? sql`${verdictReviews.createdAt} <= ${only.to.toISOString()}::timestamptz` : undefined,
  ];
  const latest = db.$with('latest').as(
    db
      .selectDistinctOn([verdictReviews.sessionId, verdictReviews.itemId, verdictReviews.gradedAt], {
        contentId: sql<string>`${sessions.contentId}`.as('content_id'),
        grader: sql<string>`${verdictReviews.grader}`.as('grader'),
        agreed: sql<boolean>`${verdictReviews.verdict} = ${verdictReviews.graderVerdict}`.as('agreed'),
      })
      .from(verdictReviews)
      .innerJoin(sessions, eq(sessions.id, verdictReviews.sessionId))
      .where(and(...conditions))
      .orderBy(
        verdictReviews.sessionId,
        verdictReviews.itemId,
        verdictReviews.gradedAt,
        desc(verdictReviews.createdAt),
        desc(verdictReviews.id),
      ),
  );
  return db
    .with(latest)
    .select({
      contentId: latest.contentId,
      grader: latest.grader,
      reviewed: sql<number>`count(*)::int`,
      agreed: sql<number>`(count(*) filter (where ${latest.agreed}))::int`,
    })
    .from(latest)
    .groupBy(latest.contentId, latest.grader);
}

type Counts = { grader: string; reviewed: number; agreed: number };

/** The agreement figures of some counts: overall, and split by grader. */
export function agreementOf(counts: Counts[]): Agreement {
  const figures = (rows: Counts[]) => {
    const reviewed = rows.reduce((sum, r) => sum + r.reviewed, 0);
    const agreed = rows.reduce((sum, r) => sum + r.agreed, 0);
    return { reviewed_items: reviewed, agreed_items: agreed, agreement: reviewed === 0 ? null : agreed / reviewed };
  };
  return {
    ...figures(counts),
    by_grader: {
      model: figures(counts.filter((c) => c.grader === 'model')),
      heuristic: figures(counts.filter((c) => c.grader === 'heuristic')),
    },
  };
}
