/**
 * One case's cohort: attempts, the score distribution of completed reports, and per rubric item the share
 * of students who met it (each student's latest completed report, after instructors' corrections).
 * Sessions that never started are not attempts.
 */
import type { CohortStats, RubricItem } from '@sp/core';
import { type Database, gradeReports, sessions, type VerdictReview, verdictReviews } from '@sp/db';
import { agreementCounts, agreementOf, latestReviews, reviewedItems } from '@sp/grading';
import { and, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { countsAsAttempt } from './student-store.js';

interface CohortCase {
  id: string;
  title: string;
  rubric: Pick<RubricItem, 'id' | 'title' | 'weight'>[];
}

const BINS = 10;

/** Count, mean, median, min, max (one decimal) and ten 10-point bins, the last one including 100. */
export function scoreDistribution(scores: number[]): CohortStats['score'] {
  const sorted = [...scores].sort((a, b) => a - b);
  const n = sorted.length;
  const round = (x: number) => Math.round(x * 10) / 10;
  const histogram = Array.from({ length: BINS }, (_, i) => ({ from: i * 10, to: (i + 1) * 10, count: 0 }));
  for (const score of sorted) {
    const bin = histogram[Math.min(BINS - 1, Math.floor(score / 10))];
    if (bin) bin.count += 1;
  }
  if (n === 0) return { count: 0, mean: null, median: null, min: null, max: null, histogram };
  const middle = Math.floor(n / 2);
  const median =
    n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return {
    count: n,
    mean: round(sorted.reduce((sum, s) => sum + s, 0) / n),
    median: round(median),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    histogram,
  };
}

export async function cohortStats(
  db: Database,
  tenantId: string,
  caseStudy: CohortCase,
  range: { from?: Date; to?: Date },
): Promise<CohortStats> {
  const ofCase: SQL = and(
    eq(sessions.tenantId, tenantId),
    eq(sessions.contentId, caseStudy.id),
    countsAsAttempt,
    range.from ? gte(sessions.createdAt, range.from) : undefined,
    range.to ? lte(sessions.createdAt, range.to) : undefined,
  ) as SQL;
  const [perStudent, reports, counts] = await Promise.all([
    db
      .select({ userId: sessions.userId, attempts: sql<number>`count(*)::int` })
      .from(sessions)
      .where(ofCase)
      .groupBy(sessions.userId),
    db
      .select({ userId: sessions.userId, createdAt: sessions.createdAt, report: gradeReports })
      .from(gradeReports)
      .innerJoin(sessions, eq(sessions.id, gradeReports.sessionId))
      .where(and(ofCase, eq(gradeReports.status, 'completed'))),
    agreementCounts(db, tenantId, { contentId: caseStudy.id }),
  ]);
  // Each student's latest completed report is where the cohort stands on each rubric item.
  const latest = new Map<string, (typeof reports)[number]>();
  for (const row of reports) {
    const seen = latest.get(row.userId);
    if (!seen || seen.createdAt < row.createdAt) latest.set(row.userId, row);
  }
  const reviews = await currentReviewsOf(
    db,
    [...latest.values()].map((row) => row.report),
  );
  const tally = new Map(caseStudy.rubric.map((r) => [r.id, { met: 0, partially_met: 0, not_met: 0 }]));
  for (const { report } of latest.values()) {
    for (const item of reviewedItems(caseStudy.rubric, report, reviews.get(report.sessionId) ?? new Map())) {
      const counts = tally.get(item.item_id);
      if (counts) counts[item.verdict] += 1;
    }
  }
  const distribution = new Map<number, number>();
  for (const { attempts } of perStudent) distribution.set(attempts, (distribution.get(attempts) ?? 0) + 1);
  const students = latest.size;
  return {
    content_id: caseStudy.id,
    case_title: caseStudy.title,
    students: perStudent.length,
    attempts: perStudent.reduce((sum, s) => sum + s.attempts, 0),
    graded: reports.length,
    attempts_per_student: [...distribution.entries()]
      .sort(([a], [b]) => a - b)
      .map(([attempts, count]) => ({ attempts, students: count })),
    score: scoreDistribution(reports.flatMap(({ report }) => (report.score === null ? [] : [report.score]))),
    items: caseStudy.rubric.map((r) => {
      const counts = tally.get(r.id) ?? { met: 0, partially_met: 0, not_met: 0 };
      return {
        item_id: r.id,
        title: r.title,
        weight: r.weight,
        students,
        ...counts,
        share_met: students === 0 ? null : counts.met / students,
      };
    }),
    agreement: agreementOf(counts),
  };
}

/** The latest review of each item of each report's current grading, by session. */
async function currentReviewsOf(db: Database, reports: { sessionId: string; completedAt: Date | null }[]) {
  const bySession = new Map<string, Map<string, VerdictReview>>();
  if (reports.length === 0) return bySession;
  const rows = await db
    .select()
    .from(verdictReviews)
    .where(
      inArray(
        verdictReviews.sessionId,
        reports.map((r) => r.sessionId),
      ),
    );
  const gradedAt = new Map(reports.map((r) => [r.sessionId, r.completedAt?.getTime()]));
  const current = rows.filter((row) => gradedAt.get(row.sessionId) === row.gradedAt.getTime());
  for (const report of reports) {
    bySession.set(report.sessionId, latestReviews(current.filter((row) => row.sessionId === report.sessionId)));
  }
  return bySession;
}
