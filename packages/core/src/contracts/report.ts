/**
 * The grade report as the API shows it (GET /v1/sessions/{id}/report, the staff report list):
 * written by @sp/grading, read by the API and the web app.
 */
import { z } from 'zod';

export const verdicts = ['met', 'partially_met', 'not_met'] as const;
export const verdictSchema = z.enum(verdicts);
export type Verdict = z.infer<typeof verdictSchema>;

/** What an instructor did with a grader's verdict: confirmed it, or corrected it. */
export const reviewActions = ['confirm', 'correct'] as const;

/** Which grader wrote a report: the model, or the offline heuristic one. */
export const graderKinds = ['model', 'heuristic'] as const;
export type GraderKind = (typeof graderKinds)[number];

export const reportStatuses = ['pending', 'running', 'completed', 'failed'] as const;
export const reportStatusSchema = z.enum(reportStatuses);
export type ReportStatus = z.infer<typeof reportStatusSchema>;
/** Grading is over: the report is final (completed) or gave up (failed). */
export const isTerminal = (status: ReportStatus) => status === 'completed' || status === 'failed';

export const reportItemSchema = z
  .object({
    item_id: z.string(),
    verdict: verdictSchema,
    evidence: z.array(z.number().int().positive()).meta({ description: 'Sequence numbers of student turns' }),
    justification: z.string(),
  })
  .meta({ id: 'GradeReportItem' });
export type ReportItem = z.infer<typeof reportItemSchema>;

export const integrityFlagSchema = z
  .object({
    turn: z.number().int().positive().meta({ description: 'Sequence number of the student turn' }),
    reason: z.string(),
  })
  .meta({ id: 'GradeIntegrityFlag' });
export type IntegrityFlag = z.infer<typeof integrityFlagSchema>;

export const gradeReportSchema = z
  .object({
    session_id: z.uuid(),
    status: reportStatusSchema,
    grader: z.enum(graderKinds).nullable(),
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

/** A report in the tenant's list (staff): the report, whose it is, and when the session ended. */
export const tenantReportSchema = gradeReportSchema
  .extend({
    user_id: z.string(),
    content_id: z.uuid(),
    case_title: z.string(),
    ended_at: z.string().nullable(),
  })
  .meta({ id: 'TenantGradeReport' });
export type TenantReportView = z.infer<typeof tenantReportSchema>;
