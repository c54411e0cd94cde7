/**
 * The tables, as the single source of truth. Migrations in /drizzle are
 * generated from this file (`pnpm db:generate`) and reviewed as SQL.
 * Column names are snake_case so admins can query them straight from psql.
 */
import {
  type CaseVersionContent,
  DURATION_MULTIPLIER_MAX,
  type EndReason,
  endReasons,
  type Fact,
  graderKinds,
  gradingStatuses,
  type Persona,
  patientEngines,
  type RubricItem,
  reportStatuses,
  reviewActions,
  type SessionStatus,
  sessionChannels,
  sessionStatuses,
  turnRoles,
  userRoles,
  verdicts,
} from '@sp/core';
import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// The choices of each text column with a fixed set of values (the tuples in @sp/core), checked by the database too.

/** `column in (values)`. A null passes the check, as SQL wants; `notNull()` is what forbids it. */
function isOneOf(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(values.map((v) => `'${v}'`).join(', '))})`;
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** People known to the platform. `id` is the identity provider's `sub`. */
export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    role: text('role', { enum: userRoles }).notNull(),
    name: text('name'),
    email: text('email'),
    createdAt: createdAt(),
  },
  (t) => [index('users_tenant_idx').on(t.tenantId), check('users_role_valid', isOneOf(t.role, userRoles))],
);

export const caseStudies = pgTable(
  'case_studies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    slug: text('slug').notNull(),
    /** The case's id in the client's own content system (any string), unique per tenant; `content_id` accepts it. */
    externalId: text('external_id'),
    title: text('title').notNull(),
    description: text('description').notNull(),
    persona: jsonb('persona').$type<Persona>().notNull(),
    facts: jsonb('facts').$type<Fact[]>().notNull(),
    instructions: text('instructions').notNull().default(''),
    rubric: jsonb('rubric').$type<RubricItem[]>().notNull(),
    durationLimit: integer('duration_limit').notNull().default(600),
    maxAttempts: integer('max_attempts').notNull().default(3),
    /** The columns above are what students get (the latest published version, or the draft never published). */
    published: boolean('published').notNull().default(false),
    /** An author's edits not yet published: the working copy is `draft ?? the columns`. */
    draft: jsonb('draft').$type<CaseVersionContent>(),
    /** Retired: never listed to students again; its versions and sessions stay. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('case_studies_archived_unpublished', sql`${t.archivedAt} is null or not ${t.published}`),
    uniqueIndex('case_studies_tenant_slug_key').on(t.tenantId, t.slug),
    uniqueIndex('case_studies_tenant_external_id_key').on(t.tenantId, t.externalId),
    // What sessions point at, so a session's case study is always of the session's tenant.
    unique('case_studies_tenant_id_key').on(t.tenantId, t.id),
    check('case_studies_duration_limit_positive', sql`${t.durationLimit} > 0`),
    check('case_studies_max_attempts_positive', sql`${t.maxAttempts} > 0`),
  ],
);

/**
 * What a case said when it was published (`number` 1, 2, ...) or when an author tried a draft
 * (`number` null, a preview snapshot). Never updated: sessions pin one, and the worker, the text
 * patient and the grader read it, so an edit changes no session in progress and no regrade.
 */
export const caseStudyVersions = pgTable(
  'case_study_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    caseStudyId: uuid('case_study_id').notNull(),
    number: integer('number'),
    content: jsonb('content').$type<CaseVersionContent>().notNull(),
    /** Who published it (a user id), or null for the seed command and the migration's backfill. */
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('case_study_versions_number_key').on(t.caseStudyId, t.number),
    // What sessions point at, so a session's version is always of the session's own case and tenant.
    unique('case_study_versions_case_id_key').on(t.tenantId, t.caseStudyId, t.id),
    foreignKey({
      name: 'case_study_versions_case_fk',
      columns: [t.tenantId, t.caseStudyId],
      foreignColumns: [caseStudies.tenantId, caseStudies.id],
    }).onDelete('cascade'),
    check('case_study_versions_number_positive', sql`${t.number} is null or ${t.number} >= 1`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    contentTypeId: text('content_type_id').notNull().default('case_study'),
    /** The case study, of the same tenant (`sessions_case_study_fk`). */
    contentId: uuid('content_id').notNull(),
    /** The version of the case the session started on (`sessions_case_version_fk`): everything reads this one. */
    caseStudyVersionId: uuid('case_study_version_id').notNull(),
    /** An author trying the case: no attempt counted, kept out of statistics and usage. */
    preview: boolean('preview').notNull().default(false),
    conversationId: text('conversation_id'),
    status: text('status').$type<SessionStatus>().notNull().default('pending'),
    isActive: boolean('is_active').notNull().default(true),
    startTime: timestamp('start_time', { withTimezone: true }),
    endTime: timestamp('end_time', { withTimezone: true }),
    /** The worker's heartbeat: last time it persisted the clock. */
    lastActivity: timestamp('last_activity', { withTimezone: true }),
    /** Active seconds in closed segments plus the running one as of the last heartbeat. */
    elapsedActiveTime: doublePrecision('elapsed_active_time').notNull().default(0),
    /** Start of the running segment (student connected with the agent), else null. */
    connectedSince: timestamp('connected_since', { withTimezone: true }),
    /** Elapsed figure at `connected_since`, so a heartbeat can rewrite the total idempotently. */
    segmentBase: doublePrecision('segment_base').notNull().default(0),
    lastDisconnectAt: timestamp('last_disconnect_at', { withTimezone: true }),
    reconnectCount: integer('reconnect_count').notNull().default(0),
    endReason: text('end_reason').$type<EndReason>(),
    /** Who ended it, when an instructor or admin did (`staff_ended`), else null. */
    endedBy: text('ended_by'),
    durationLimit: integer('duration_limit').notNull().default(600),
    roomName: text('room_name').notNull(),
    attemptNumber: integer('attempt_number').notNull(),
    /** The student's time accommodation when the session started: `duration_limit` is the case's times this. */
    durationMultiplier: doublePrecision('duration_multiplier').notNull().default(1),
    /** `voice` or `text`: which channel the session is using now. */
    channel: text('channel', { enum: sessionChannels }).notNull().default('voice'),
    /** `model` or `scripted` (the offline patient answered at least one text turn). */
    patientEngine: text('patient_engine', { enum: patientEngines }),
    /** Text channel: when the reply to the latest text turn began, until it is stored. One turn at a time. */
    textTurnStartedAt: timestamp('text_turn_started_at', { withTimezone: true }),
    gradingStatus: text('grading_status', { enum: gradingStatuses }).notNull().default('not_started'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** Free text given at initialize that the patient may use, after the case's own instructions. */
    context: text('context'),
    /** When the session's current room was opened (creation, then each resume): the pending timeout runs from here. */
    roomOpenedAt: timestamp('room_opened_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One live session per student and case, enforced by the database itself.
    uniqueIndex('sessions_one_active_per_user_case')
      .on(t.tenantId, t.userId, t.contentId)
      .where(sql`${t.status} <> 'ended'`),
    // Attempt numbers are unique, so racing creations cannot exceed max_attempts.
    uniqueIndex('sessions_attempt_key')
      .on(t.tenantId, t.userId, t.contentId, t.attemptNumber)
      .where(sql`not ${t.preview}`),
    uniqueIndex('sessions_room_name_key').on(t.roomName),
    index('sessions_user_idx').on(t.tenantId, t.userId, t.createdAt),
    // The pending-timeout sweep reads only sessions nobody has joined yet.
    index('sessions_pending_idx').on(t.roomOpenedAt).where(sql`${t.status} = 'pending'`),
    foreignKey({
      name: 'sessions_case_study_fk',
      columns: [t.tenantId, t.contentId],
      foreignColumns: [caseStudies.tenantId, caseStudies.id],
    }),
    foreignKey({
      name: 'sessions_case_version_fk',
      columns: [t.tenantId, t.contentId, t.caseStudyVersionId],
      foreignColumns: [caseStudyVersions.tenantId, caseStudyVersions.caseStudyId, caseStudyVersions.id],
    }),
    // What grade reports point at, so a report's session is always of the report's tenant.
    unique('sessions_tenant_id_key').on(t.tenantId, t.id),
    check('sessions_status_valid', isOneOf(t.status, sessionStatuses)),
    check('sessions_end_reason_valid', sql`${t.endReason} is null or ${isOneOf(t.endReason, endReasons)}`),
    check(
      'sessions_ended_by_staff',
      sql`(${t.endedBy} is not null) = (${t.endReason} is not distinct from 'staff_ended')`,
    ),
    check(
      'sessions_duration_multiplier_range',
      sql`${t.durationMultiplier} >= 1 and ${t.durationMultiplier} <= ${sql.raw(String(DURATION_MULTIPLIER_MAX))}`,
    ),
    check('sessions_ended_has_reason', sql`(${t.status} = 'ended') = (${t.endReason} is not null)`),
    check('sessions_elapsed_nonnegative', sql`${t.elapsedActiveTime} >= 0`),
    check('sessions_is_active_matches_status', sql`${t.isActive} = (${t.status} <> 'ended')`),
    check('sessions_channel_valid', isOneOf(t.channel, sessionChannels)),
    check('sessions_patient_engine_valid', isOneOf(t.patientEngine, patientEngines)),
    check('sessions_grading_status_valid', isOneOf(t.gradingStatus, gradingStatuses)),
  ],
);

/** One transcript turn. `sequence` is 1-based per session and continues across resumes. */
export const sessionMessages = pgTable(
  'session_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    role: text('role', { enum: turnRoles }).notNull(),
    content: text('content').notNull(),
    channel: text('channel', { enum: sessionChannels }).notNull().default('voice'),
    /** The assistant was cut off; `content` is what was actually spoken. */
    interrupted: boolean('interrupted').notNull().default(false),
    /** Per-turn latency figures (stt, llm ttft, tts ttfb, end of utterance), in ms. */
    metrics: jsonb('metrics').$type<Record<string, number>>(),
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('session_messages_session_sequence_key').on(t.sessionId, t.sequence),
    check('session_messages_sequence_positive', sql`${t.sequence} >= 1`),
    check('session_messages_role_valid', isOneOf(t.role, turnRoles)),
    check('session_messages_channel_valid', isOneOf(t.channel, sessionChannels)),
  ],
);

export type ReportItem = {
  item_id: string;
  verdict: 'met' | 'partially_met' | 'not_met';
  evidence: number[];
  justification: string;
};

/** A student turn that addressed the grader or an AI rather than the patient. */
export type IntegrityFlag = { turn: number; reason: string };

/** The grade report of an ended session; exactly one per session. */
export const gradeReports = pgTable(
  'grade_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The session, of the same tenant (`grade_reports_session_fk`, deleted with it). */
    sessionId: uuid('session_id').notNull().unique(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    status: text('status', { enum: reportStatuses }).notNull().default('pending'),
    grader: text('grader', { enum: graderKinds }),
    model: text('model'),
    /** The score that counts: the grader's, recomputed from the verdicts after an instructor's correction. */
    score: doublePrecision('score'),
    /** The grader's own score, kept once an instructor corrects a verdict (null while nothing was corrected). */
    graderScore: doublePrecision('grader_score'),
    items: jsonb('items').$type<ReportItem[]>(),
    strengths: jsonb('strengths').$type<string[]>(),
    improvements: jsonb('improvements').$type<string[]>(),
    narrative: text('narrative'),
    error: text('error'),
    /** Student turns that addressed the grader; any one marks the report for an instructor's review. */
    integrityFlags: jsonb('integrity_flags').$type<IntegrityFlag[]>().notNull().default([]),
    attempts: integer('attempts').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('grade_reports_tenant_idx').on(t.tenantId, t.createdAt),
    foreignKey({
      name: 'grade_reports_session_fk',
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [sessions.tenantId, sessions.id],
    }).onDelete('cascade'),
    check('grade_reports_score_range', sql`${t.score} is null or (${t.score} >= 0 and ${t.score} <= 100)`),
    check('grade_reports_status_valid', isOneOf(t.status, reportStatuses)),
    check('grade_reports_grader_valid', isOneOf(t.grader, graderKinds)),
  ],
);

/**
 * An instructor's review of one verdict of a graded report, kept as a label: a confirmation (the grader
 * was right) or a correction (with a note). Append-only; the latest review of an item for the report's
 * current grading (`graded_at` = the report's `completed_at`) is the one that counts. A regrade makes a new
 * grading, so earlier reviews stay as labels of the earlier grader's verdicts (grader agreement) only.
 */
export const verdictReviews = pgTable(
  'verdict_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    sessionId: uuid('session_id').notNull(),
    itemId: text('item_id').notNull(),
    action: text('action', { enum: reviewActions }).notNull(),
    grader: text('grader', { enum: graderKinds }).notNull(),
    graderVerdict: text('grader_verdict', { enum: verdicts }).notNull(),
    verdict: text('verdict', { enum: verdicts }).notNull(),
    note: text('note'),
    reviewedBy: text('reviewed_by').notNull(),
    /** Which grading of the report was reviewed: its `completed_at` then. */
    gradedAt: timestamp('graded_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('verdict_reviews_session_idx').on(t.sessionId, t.itemId, t.createdAt),
    index('verdict_reviews_tenant_idx').on(t.tenantId, t.createdAt),
    foreignKey({
      name: 'verdict_reviews_session_fk',
      columns: [t.tenantId, t.sessionId],
      foreignColumns: [sessions.tenantId, sessions.id],
    }).onDelete('cascade'),
    check('verdict_reviews_action_valid', isOneOf(t.action, reviewActions)),
    check('verdict_reviews_grader_valid', isOneOf(t.grader, graderKinds)),
    check('verdict_reviews_grader_verdict_valid', isOneOf(t.graderVerdict, verdicts)),
    check('verdict_reviews_verdict_valid', isOneOf(t.verdict, verdicts)),
    // A confirmation agrees with the grader by definition; a correction needs its note.
    check('verdict_reviews_confirm_agrees', sql`${t.action} <> 'confirm' or ${t.verdict} = ${t.graderVerdict}`),
    check('verdict_reviews_correct_has_note', sql`${t.action} <> 'correct' or ${t.note} is not null`),
  ],
);

/** Extra attempts an instructor granted one student on one case; the student's limit is the case's plus their sum. */
export const attemptGrants = pgTable(
  'attempt_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    contentId: uuid('content_id').notNull(),
    extraAttempts: integer('extra_attempts').notNull(),
    note: text('note'),
    grantedBy: text('granted_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('attempt_grants_student_idx').on(t.tenantId, t.userId, t.contentId),
    foreignKey({
      name: 'attempt_grants_case_study_fk',
      columns: [t.tenantId, t.contentId],
      foreignColumns: [caseStudies.tenantId, caseStudies.id],
    }).onDelete('cascade'),
    check('attempt_grants_extra_positive', sql`${t.extraAttempts} > 0`),
  ],
);

/** A student's time accommodation: every session they start runs `duration_multiplier` times the case's duration. */
export const studentAccommodations = pgTable(
  'student_accommodations',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    durationMultiplier: doublePrecision('duration_multiplier').notNull(),
    note: text('note'),
    setBy: text('set_by').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    check(
      'student_accommodations_multiplier_range',
      sql`${t.durationMultiplier} >= 1 and ${t.durationMultiplier} <= ${sql.raw(String(DURATION_MULTIPLIER_MAX))}`,
    ),
  ],
);

/** A study-assistant conversation: one student's thread with the assistant (POST /v1/mind/chat). */
export const chatConversations = pgTable(
  'chat_conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    /** Where the student writes from (`context.channel`, e.g. `student`). */
    channel: text('channel'),
    /** The id the client chose (`context.conversation_id` that is not a UUID, e.g. `demo-1`), unique per student. */
    clientId: text('client_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('chat_conversations_user_idx').on(t.tenantId, t.userId, t.updatedAt),
    uniqueIndex('chat_conversations_client_id_key').on(t.tenantId, t.userId, t.clientId),
  ],
);

/** One message of a conversation: the student's, or the assistant's answer (or the notice of a blocked turn). */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => chatConversations.id, { onDelete: 'cascade' }),
    sequence: integer('sequence').notNull(),
    role: text('role', { enum: turnRoles }).notNull(),
    content: text('content').notNull(),
    /** The lane the turn was routed to: explain-concept, submission-guide or advisor. */
    action: text('action').notNull(),
    /** The router's confidence in that lane (1 for a quick action the student chose). */
    confidence: doublePrecision('confidence'),
    /** quota_exceeded, assessment_lock or prompt_injection when the turn was blocked, else null. */
    blockedReason: text('blocked_reason'),
    /** The output guardrail's correction of the streamed answer, else null. */
    revised: text('revised'),
    /** What the student was viewing (context.page). */
    page: jsonb('page').$type<Record<string, string>>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chat_messages_conversation_sequence_key').on(t.conversationId, t.sequence),
    check('chat_messages_sequence_positive', sql`${t.sequence} >= 1`),
    check('chat_messages_role_valid', isOneOf(t.role, turnRoles)),
  ],
);

/** Answered study-assistant turns per student and day: the daily quota's counter. */
export const chatUsage = pgTable(
  'chat_usage',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    /** The day in CHAT_QUOTA_TIMEZONE. */
    day: date('day').notNull(),
    turns: integer('turns').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.day] }),
    check('chat_usage_turns_nonnegative', sql`${t.turns} >= 0`),
  ],
);

/**
 * The rate limiter's counters: requests per user, route family and fixed window, shared by every API
 * process. One upsert per limited request; windows older than the current one are deleted as they pass.
 */
export const rateLimitHits = pgTable(
  'rate_limit_hits',
  {
    tenantId: uuid('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    /** session_start, text_turn or study_assistant. */
    family: text('family').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.family, t.windowStart] }),
    check('rate_limit_hits_family', sql`${t.family} in ('session_start', 'text_turn', 'study_assistant')`),
    check('rate_limit_hits_positive', sql`${t.hits} > 0`),
  ],
);

const streamEndpoints = ['chat', 'session_messages'] as const;

/**
 * A streamed answer (POST /v1/mind/chat or /v1/sessions/{id}/messages) kept for resumption: its owner and
 * how far it got. Its frames are below; both are deleted STREAM_REPLAY_RETENTION_SECONDS after it started.
 */
export const eventStreams = pgTable(
  'event_streams',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    /** chat or session_messages: which endpoint streamed it. */
    endpoint: text('endpoint', { enum: streamEndpoints }).notNull(),
    /** The case session of a text-channel answer, else null. */
    sessionId: uuid('session_id'),
    /** The last frame stored (frames are numbered from 1). */
    lastSeq: integer('last_seq').notNull(),
    /** The answer's last frame is stored: nothing more will come. */
    finished: boolean('finished').notNull().default(false),
    createdAt: createdAt(),
    /** When frames were last stored: a stream unfinished and quiet for STREAM_STALL_SECONDS was cut by its process. */
    updatedAt: updatedAt(),
  },
  (t) => [
    index('event_streams_created_idx').on(t.createdAt),
    check('event_streams_endpoint_valid', isOneOf(t.endpoint, streamEndpoints)),
  ],
);

/** One frame of a kept stream, exactly as it was sent (`event:` and the `data:` JSON text). */
export const eventStreamFrames = pgTable(
  'event_stream_frames',
  {
    streamId: uuid('stream_id')
      .notNull()
      .references(() => eventStreams.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    event: text('event').notNull(),
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.seq] })],
);

/** LiveKit webhook events already processed, by LiveKit's event id: each is applied once. */
export const livekitWebhookEvents = pgTable('livekit_webhook_events', {
  id: text('id').primaryKey(),
  event: text('event').notNull(),
  roomName: text('room_name'),
  /** The session the event changed, or null when it changed nothing (a stale or unknown room). */
  sessionId: uuid('session_id'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

export type Tenant = typeof tenants.$inferSelect;
export type User = typeof users.$inferSelect;
export type CaseStudy = typeof caseStudies.$inferSelect;
export type CaseStudyVersion = typeof caseStudyVersions.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type SessionMessage = typeof sessionMessages.$inferSelect;
export type GradeReport = typeof gradeReports.$inferSelect;
export type ChatConversation = typeof chatConversations.$inferSelect;
export type ChatMessage = typeof chatMessages.$inferSelect;
export type VerdictReview = typeof verdictReviews.$inferSelect;
export type AttemptGrant = typeof attemptGrants.$inferSelect;
export type StudentAccommodation = typeof studentAccommodations.$inferSelect;
