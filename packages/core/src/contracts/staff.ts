/**
 * The staff API (instructors and admins of a tenant; a student gets 403 on every route, another
 * tenant's sessions, students and cases are simply not there: 404 or an empty list).
 *
 * Routes, all under /v1/admin:
 * - GET    /sessions                                         StaffSessionListQuery → StaffSessionList
 * - GET    /sessions/{session_id}                            → StaffSessionDetail (transcript + report side by side)
 * - POST   /sessions/{session_id}/end                        StaffEndRequest → StaffSession (end_reason `staff_ended`)
 * - POST   /sessions/{session_id}/report/items/{item_id}/review  ItemReviewRequest → StaffReport
 * - GET    /grader-agreement                                 AgreementQuery → GraderAgreement
 * - GET    /cohorts/{content_id}                             CohortQuery → CohortStats
 * - GET    /students                                         StudentListQuery → StudentList
 * - GET    /students/{user_id}                               → StudentView (sessions: GET /sessions?user_id=)
 * - POST   /students/{user_id}/attempt-grants                AttemptGrantRequest → AttemptStanding (201)
 * - PUT    /students/{user_id}/accommodation                 AccommodationRequest → Accommodation
 * - DELETE /students/{user_id}/accommodation                 → Accommodation (multiplier back to 1)
 * - GET    /exports/sessions.csv                             StaffSessionFilters → text/csv, SESSIONS_CSV_COLUMNS
 * - GET    /exports/transcripts.csv                          StaffSessionFilters → text/csv, TRANSCRIPT_CSV_COLUMNS
 *
 * (`POST /sessions/{session_id}/regrade` and `GET /reports` predate this file, in routes/admin.ts.)
 * Authors' preview sessions are left out of the list, the exports and every statistic (readable by id, flagged `preview`).
 */
import { z } from 'zod';
import { type EndReason, endReasons, sessionStatuses } from '../session-rules.js';
import { gradingStatuses, sessionChannels } from '../vocabulary.js';
import { dateBound, fromAfterTo, fromNotAfterTo } from './date-range.js';
import { pagedEnvelope, pageQuery } from './envelope.js';
import { contentIdSchema } from './initialize.js';
import { graderKinds, integrityFlagSchema, reportStatusSchema, reviewActions, verdicts } from './report.js';
import { sessionMessageSchema, sessionSummarySchema, sessionWithMessagesSchema } from './session.js';

const timestamp = z.iso.datetime({ offset: true });
const userId = z.string().min(1).max(200);
const score = z.coerce.number().min(0).max(100);

/** `staff_ended` joins the end reasons: an instructor or admin ended the session (sessions.ended_by says who). */
export const STAFF_END_REASON = 'staff_ended' satisfies EndReason;

// ---------------------------------------------------------------- session list and exports

const filterShape = {
  user_id: userId.optional().meta({ description: 'Only this student' }),
  content_id: contentIdSchema.optional().meta({ description: 'Only this case study (its id or external_id)' }),
  status: z.enum(sessionStatuses).optional(),
  end_reason: z.enum(endReasons).optional(),
  channel: z.enum(sessionChannels).optional(),
  from: dateBound.optional().meta({ description: 'Sessions created on or after this day or instant (ISO 8601)' }),
  to: dateBound.optional().meta({ description: 'Sessions created on or before this day or instant (ISO 8601)' }),
  min_score: score
    .optional()
    .meta({ description: 'Only sessions whose report score (after corrections) is at least this' }),
  max_score: score
    .optional()
    .meta({ description: 'Only sessions whose report score (after corrections) is at most this' }),
  metadata_key: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Only sessions whose metadata has this top-level key', example: 'cohort' }),
  metadata_value: z.string().max(2000).optional().meta({
    description: "With metadata_key: only where that key's value, as text (strings unquoted), equals this",
    example: '2026-A',
  }),
};

type FilterFields = { min_score?: number; max_score?: number; metadata_key?: string; metadata_value?: string };
/** The cross-field rules of the filters, applied to the list query and the exports alike. */
function filterRules<T extends z.ZodType<FilterFields & { from?: string; to?: string }>>(schema: T) {
  return schema
    .refine((q) => q.metadata_value === undefined || q.metadata_key !== undefined, {
      path: ['metadata_value'],
      message: 'needs metadata_key',
    })
    .refine((q) => q.min_score === undefined || q.max_score === undefined || q.min_score <= q.max_score, {
      path: ['min_score'],
      message: 'must not exceed max_score',
    })
    .refine(fromNotAfterTo, fromAfterTo);
}

/** The filters of the session list, also taken by both CSV exports. */
export const staffSessionFiltersSchema = filterRules(z.object(filterShape)).meta({ id: 'StaffSessionFilters' });
export type StaffSessionFilters = z.infer<typeof staffSessionFiltersSchema>;

export const staffSessionListQuerySchema = filterRules(z.object({ ...filterShape, ...pageQuery }));
export type StaffSessionListQuery = z.infer<typeof staffSessionListQuerySchema>;

/** What staff see of a session beside the student's own fields. */
const staffFields = {
  user_id: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  case_title: z.string(),
  channel: z.enum(sessionChannels).meta({ description: 'The channel the session is using now' }),
  attempt_number: z.number().int(),
  duration_limit: z.number().int().meta({ description: 'Active seconds allowed (after any time accommodation)' }),
  duration_multiplier: z.number().meta({ description: "The student's time accommodation when it started (1: none)" }),
  preview: z
    .boolean()
    .meta({ description: "An author's preview: never listed, exported or counted in statistics or usage" }),
  ended_by: z.string().nullable().meta({ description: 'Who ended it, when end_reason is staff_ended' }),
  grading_status: z.enum(gradingStatuses),
  score: z.number().nullable().meta({ description: 'The report score, after corrections; null until graded' }),
  grader: z.enum(graderKinds).nullable(),
};

export const staffSessionSummarySchema = sessionSummarySchema.extend(staffFields).meta({
  id: 'StaffSessionSummary',
  description: 'elapsed_active_time is live for active sessions (evaluated by the database at the time of the request)',
});
export type StaffSessionSummary = z.infer<typeof staffSessionSummarySchema>;

export const staffSessionListSchema = pagedEnvelope(staffSessionSummarySchema).meta({ id: 'StaffSessionList' });
export type StaffSessionList = z.infer<typeof staffSessionListSchema>;

// ---------------------------------------------------------------- one session: transcript and report

export const itemReviewSchema = z
  .object({
    action: z.enum(reviewActions),
    verdict: z.enum(verdicts).meta({ description: "The instructor's verdict (the grader's, for a confirm)" }),
    agreed: z.boolean().meta({ description: "The instructor's verdict equals the grader's" }),
    note: z.string().nullable(),
    reviewed_by: z.string(),
    reviewed_at: timestamp,
  })
  .meta({ id: 'ItemReview' });
export type ItemReview = z.infer<typeof itemReviewSchema>;

export const staffReportItemSchema = z
  .object({
    item_id: z.string(),
    title: z.string(),
    weight: z.number(),
    grader_verdict: z.enum(verdicts).meta({ description: "The grader's verdict" }),
    verdict: z
      .enum(verdicts)
      .meta({ description: 'The verdict that counts: the correction if any, else the grader’s' }),
    evidence: z.array(z.number().int()),
    justification: z.string(),
    review: itemReviewSchema.nullable().meta({ description: "The latest instructor review of this grading's verdict" }),
  })
  .meta({ id: 'StaffReportItem' });
export type StaffReportItem = z.infer<typeof staffReportItemSchema>;

export const staffReportSchema = z
  .object({
    session_id: z.string(),
    status: reportStatusSchema,
    grader: z.enum(graderKinds).nullable(),
    model: z.string().nullable(),
    score: z.number().nullable().meta({ description: 'Follows the corrections' }),
    grader_score: z.number().nullable().meta({ description: "The grader's own score, before any correction" }),
    items: z.array(staffReportItemSchema),
    strengths: z.array(z.string()).nullable(),
    improvements: z.array(z.string()).nullable(),
    narrative: z.string().nullable(),
    error: z.string().nullable(),
    integrity_flags: z.array(integrityFlagSchema),
    needs_review: z.boolean(),
    completed_at: timestamp.nullable(),
  })
  .meta({ id: 'StaffReport' });
export type StaffReport = z.infer<typeof staffReportSchema>;

export const staffSessionSchema = sessionWithMessagesSchema
  .omit({ messages: true, full_transcript: true, word_count: true })
  .extend(staffFields)
  .meta({ id: 'StaffSession' });
export type StaffSession = z.infer<typeof staffSessionSchema>;

export const staffSessionDetailSchema = staffSessionSchema
  .extend({
    messages: z.array(sessionMessageSchema),
    report: staffReportSchema.nullable().meta({ description: 'Null until the session ended and was sent for grading' }),
  })
  .meta({ id: 'StaffSessionDetail' });
export type StaffSessionDetail = z.infer<typeof staffSessionDetailSchema>;

// ---------------------------------------------------------------- staff actions

export const staffEndRequestSchema = z
  .object({
    graded: z.boolean().meta({ description: 'Send the session for grading (true) or end it ungraded (false)' }),
  })
  .meta({ id: 'StaffEndRequest' });
export type StaffEndRequest = z.infer<typeof staffEndRequestSchema>;

export const itemReviewRequestSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('confirm'), note: z.string().trim().max(2000).optional() }),
    z.object({
      action: z.literal('correct'),
      verdict: z.enum(verdicts),
      note: z.string().trim().min(1).max(2000).meta({ description: 'Why the verdict is corrected (required)' }),
    }),
  ])
  .meta({ id: 'ItemReviewRequest' });
export type ItemReviewRequest = z.infer<typeof itemReviewRequestSchema>;

export const attemptGrantRequestSchema = z
  .object({
    content_id: contentIdSchema,
    extra_attempts: z.number().int().min(1).max(100),
    note: z.string().trim().max(2000).optional(),
  })
  .meta({ id: 'AttemptGrantRequest' });
export type AttemptGrantRequest = z.infer<typeof attemptGrantRequestSchema>;

export const attemptStandingSchema = z
  .object({
    user_id: z.string(),
    content_id: z.string(),
    case_title: z.string(),
    max_attempts: z.number().int().meta({ description: "The case's own limit" }),
    extra_attempts: z.number().int().meta({ description: 'Granted to this student on this case, in total' }),
    attempts_allowed: z.number().int(),
    attempts_used: z
      .number()
      .int()
      .meta({ description: 'Sessions that count as an attempt (previews and never-started ones do not)' }),
  })
  .meta({ id: 'AttemptStanding' });
export type AttemptStanding = z.infer<typeof attemptStandingSchema>;

export const DURATION_MULTIPLIER_MAX = 4;
export const accommodationRequestSchema = z
  .object({
    duration_multiplier: z.number().min(1).max(DURATION_MULTIPLIER_MAX).meta({
      description: 'Multiplies the case duration of every session the student starts from now on',
      example: 1.25,
    }),
    note: z.string().trim().max(2000).optional(),
  })
  .meta({ id: 'AccommodationRequest' });
export type AccommodationRequest = z.infer<typeof accommodationRequestSchema>;

export const accommodationSchema = z
  .object({
    user_id: z.string(),
    duration_multiplier: z.number(),
    note: z.string().nullable(),
    set_by: z.string().nullable(),
    updated_at: timestamp.nullable(),
  })
  .meta({ id: 'Accommodation' });
export type Accommodation = z.infer<typeof accommodationSchema>;

// ---------------------------------------------------------------- statistics

const agreementFigures = {
  reviewed_items: z.number().int().meta({ description: 'Items an instructor corrected or confirmed' }),
  agreed_items: z.number().int().meta({ description: "…of which the grader's verdict was the instructor's" }),
  agreement: z.number().min(0).max(1).nullable().meta({ description: 'agreed_items / reviewed_items; null when none' }),
};
const agreementSplit = z.object({
  ...agreementFigures,
  by_grader: z
    .object({ model: z.object(agreementFigures), heuristic: z.object(agreementFigures) })
    .meta({ description: '`heuristic` is the offline grader' }),
});
export const agreementSchema = agreementSplit.meta({ id: 'Agreement' });
export type Agreement = z.infer<typeof agreementSchema>;

export const agreementQuerySchema = z
  .object({
    content_id: contentIdSchema.optional(),
    from: dateBound.optional().meta({ description: 'Reviews made on or after' }),
    to: dateBound.optional().meta({ description: 'Reviews made on or before' }),
  })
  .refine(fromNotAfterTo, fromAfterTo);

export const graderAgreementSchema = z
  .object({
    overall: agreementSchema,
    by_case: z.array(agreementSplit.extend({ content_id: z.string(), case_title: z.string() })),
  })
  .meta({ id: 'GraderAgreement' });
export type GraderAgreement = z.infer<typeof graderAgreementSchema>;

export const cohortQuerySchema = z
  .object({
    from: dateBound.optional().meta({ description: 'Sessions created on or after' }),
    to: dateBound.optional().meta({ description: 'Sessions created on or before' }),
  })
  .refine(fromNotAfterTo, fromAfterTo);

export const cohortStatsSchema = z
  .object({
    content_id: z.string(),
    case_title: z.string(),
    students: z.number().int().meta({ description: 'Students with at least one attempt' }),
    attempts: z.number().int().meta({ description: 'Sessions that count as attempts (previews excluded)' }),
    graded: z.number().int().meta({ description: 'Sessions with a completed report' }),
    attempts_per_student: z.array(z.object({ attempts: z.number().int(), students: z.number().int() })),
    score: z.object({
      count: z.number().int(),
      mean: z.number().nullable(),
      median: z.number().nullable(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      histogram: z
        .array(z.object({ from: z.number(), to: z.number(), count: z.number().int() }))
        .meta({ description: 'Ten bins of 10 points; the last includes 100' }),
    }),
    items: z
      .array(
        z.object({
          item_id: z.string(),
          title: z.string(),
          weight: z.number(),
          students: z.number().int().meta({ description: 'Students whose latest graded session has this item' }),
          met: z.number().int(),
          partially_met: z.number().int(),
          not_met: z.number().int(),
          share_met: z.number().nullable().meta({ description: 'met / students (after corrections)' }),
        }),
      )
      .meta({ description: "Per rubric item, each student's latest completed report, after corrections" }),
    agreement: agreementSchema,
  })
  .meta({ id: 'CohortStats' });
export type CohortStats = z.infer<typeof cohortStatsSchema>;

// ---------------------------------------------------------------- students

export const studentListQuerySchema = z.object(pageQuery);

export const studentSummarySchema = z
  .object({
    user_id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    sessions: z.number().int().meta({ description: 'Sessions, previews excluded' }),
    last_session_at: timestamp.nullable(),
    duration_multiplier: z.number(),
  })
  .meta({ id: 'StudentSummary' });
export type StudentSummary = z.infer<typeof studentSummarySchema>;

export const studentListSchema = pagedEnvelope(studentSummarySchema).meta({ id: 'StudentList' });

export const studentViewSchema = z
  .object({
    user_id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    accommodation: accommodationSchema,
    cases: z.array(
      attemptStandingSchema.extend({
        best_score: z.number().nullable(),
        latest_score: z.number().nullable(),
      }),
    ),
    grants: z.array(
      z.object({
        content_id: z.string(),
        extra_attempts: z.number().int(),
        note: z.string().nullable(),
        granted_by: z.string(),
        created_at: timestamp,
      }),
    ),
  })
  .meta({ id: 'StudentView', description: "The student's sessions: GET /v1/admin/sessions?user_id=…" });
export type StudentView = z.infer<typeof studentViewSchema>;

// ---------------------------------------------------------------- CSV exports

/** The header of GET /v1/admin/exports/sessions.csv, in order. */
export const SESSIONS_CSV_COLUMNS = [
  'session_id',
  'user_id',
  'content_id',
  'case_title',
  'status',
  'end_reason',
  'ended_by',
  'channel',
  'attempt_number',
  'created_at',
  'start_time',
  'end_time',
  'elapsed_active_time',
  'duration_limit',
  'grading_status',
  'grader',
  'score',
  'grader_score',
] as const;

/** The header of GET /v1/admin/exports/transcripts.csv: one row per turn, sessions newest first, turns in order. */
export const TRANSCRIPT_CSV_COLUMNS = [
  'session_id',
  'user_id',
  'content_id',
  'sequence',
  'role',
  'channel',
  'timestamp',
  'content',
] as const;
