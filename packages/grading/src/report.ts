/**
 * The grade report: what a grader produces, how the score follows from the
 * verdicts, and the report as the API shows it.
 */
import type { RubricItem } from '@sp/core';
import type { GradeReport } from '@sp/db';
import { z } from 'zod';
import { type IntegrityFlag, integrityFlagSchema } from './integrity.js';

export const verdicts = ['met', 'partially_met', 'not_met'] as const;
export const verdictSchema = z.enum(verdicts);
export type Verdict = z.infer<typeof verdictSchema>;

export const reportItemSchema = z
  .object({
    item_id: z.string(),
    verdict: verdictSchema,
    evidence: z.array(z.number().int().positive()).meta({ description: 'Sequence numbers of student turns' }),
    justification: z.string(),
  })
  .meta({ id: 'GradeReportItem' });
export type ReportItem = z.infer<typeof reportItemSchema>;

export const reportStatuses = ['pending', 'running', 'completed', 'failed'] as const;
export const reportStatusSchema = z.enum(reportStatuses);
export type ReportStatus = z.infer<typeof reportStatusSchema>;
export const isTerminal = (status: ReportStatus) => status === 'completed' || status === 'failed';

/** What a grader hands back for a completed report. */
export interface GradeResult {
  grader: 'model' | 'heuristic';
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

export const gradeReportSchema = z
  .object({
    session_id: z.uuid(),
    status: reportStatusSchema,
    grader: z.enum(['model', 'heuristic']).nullable(),
    model: z.string().nullable(),
    score: z.number().min(0).max(100).nullable(),
    items: z.array(reportItemSchema).nullable(),
    strengths: z.array(z.string()).nullable(),
    improvements: z.array(z.string()).nullable(),
    narrative: z.string().nullable(),
    error: z.string().nullable(),
    integrity_flags: z.array(integrityFlagSchema).meta({
      description:
        "Student turns that addressed the grader or an AI: never credited, and the report needs an instructor's review",
    }),
    needs_review: z.boolean().meta({ description: 'True when integrity flags were raised' }),
    attempts: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .meta({ id: 'GradeReport' });
export type GradeReportView = z.infer<typeof gradeReportSchema>;

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
