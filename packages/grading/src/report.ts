/**
 * The grade report: what a grader produces, how the score follows from the
 * verdicts, and the row as the API shows it (the contract: @sp/core contracts/report.ts).
 */
import type { GradeReportView, GraderKind, IntegrityFlag, ReportItem, RubricItem, Verdict } from '@sp/core';
import type { GradeReport } from '@sp/db';

/** What a grader hands back for a completed report. */
export interface GradeResult {
  grader: GraderKind;
  model: string | null;
  score: number;
  items: ReportItem[];
  strengths: string[];
  improvements: string[];
  narrative: string;
  /** Student turns that addressed the grader; any flag marks the report for review. */
  integrityFlags: IntegrityFlag[];
}

const credit: Record<Verdict, number> = { met: 1, partially_met: 0.5, not_met: 0 };

/** Weighted score, 0–100 to one decimal: met counts fully, partially met half, not met nothing. */
export function scoreOf(rubric: Pick<RubricItem, 'id' | 'weight'>[], items: Pick<ReportItem, 'item_id' | 'verdict'>[]) {
  const total = rubric.reduce((sum, r) => sum + r.weight, 0);
  if (total <= 0) return 0;
  const verdictOf = new Map(items.map((i) => [i.item_id, i.verdict]));
  const earned = rubric.reduce((sum, r) => sum + r.weight * credit[verdictOf.get(r.id) ?? 'not_met'], 0);
  return Math.round((earned / total) * 1000) / 10;
}

export function reportView(row: GradeReport): GradeReportView {
  return {
    session_id: row.sessionId,
    status: row.status,
    grader: row.grader,
    model: row.model,
    score: row.score,
    items: row.items,
    strengths: row.strengths,
    improvements: row.improvements,
    narrative: row.narrative,
    error: row.error,
    integrity_flags: row.integrityFlags ?? [],
    needs_review: (row.integrityFlags ?? []).length > 0,
    attempts: row.attempts,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}
