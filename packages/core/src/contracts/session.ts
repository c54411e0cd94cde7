/** What the API says about a session and its transcript (snake_case, as in the contract). */
import { z } from 'zod';
import { endReasons, sessionStatuses } from '../session-rules.js';
import { sessionChannels, turnRoles } from '../vocabulary.js';

const timestamp = z.iso.datetime({ offset: true });

/** How long the session can still run and be resumed, on every session answer. */
const expiryFigures = {
  resume_deadline: timestamp.nullable().meta({
    description:
      'When the reconnect window closes (a resume after it ends the session); null when the session cannot be resumed',
  }),
  reconnects_remaining: z
    .number()
    .int()
    .min(0)
    .meta({ description: 'Reconnects left (a resume of a session that never connected uses none); 0 once ended' }),
  remaining_active_time: z
    .number()
    .min(0)
    .meta({ description: 'Active seconds left on the clock: duration_limit - elapsed_active_time' }),
};

export const transcriptMessageSchema = z
  .object({
    role: z.enum(turnRoles).meta({ description: '`user` is the student, `assistant` the AI patient' }),
    content: z.string(),
    sequence: z.number().int().min(1).meta({ description: '1-based order, continuing across resumes' }),
    timestamp,
  })
  .meta({ id: 'TranscriptMessage' });
export type TranscriptMessage = z.infer<typeof transcriptMessageSchema>;

export const sessionSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    content_type_id: z.literal('case_study'),
    content_id: z.string(),
    conversation_id: z
      .string()
      .nullable()
      .meta({ description: 'Reserved for a link to an external conversation; always null today' }),
    status: z.enum(sessionStatuses),
    is_active: z.boolean(),
    start_time: timestamp.nullable(),
    end_time: timestamp.nullable(),
    last_activity: timestamp.nullable(),
    created_at: timestamp,
    elapsed_active_time: z.number().meta({ description: 'Active seconds used so far, including a running segment' }),
    reconnect_count: z.number().int(),
    end_reason: z
      .enum(endReasons)
      .nullable()
      .meta({
        description:
          'Why it ended; the reconnect-window ending is spelled `conversation_ttl_exceeded`; `pending_timeout` ' +
          '(never started: not graded, not an attempt)',
      }),
    duration_limit: z.number().int().meta({ description: 'Active time budget in seconds' }),
    duration_multiplier: z
      .number()
      .min(1)
      .meta({
        description:
          "The student's time accommodation applied when the session started: duration_limit is the case's duration " +
          'times this (1: none)',
      }),
    metadata: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The JSON object given at initialize (`{}` when none was given)' }),
    ...expiryFigures,
    duration_seconds: z.number().nullable().meta({
      description: 'Wall-clock seconds from start_time to end_time, or to now while it runs; null while pending',
    }),
  })
  .meta({ id: 'Session' });
export type SessionView = z.infer<typeof sessionSchema>;

export const sessionMessageSchema = transcriptMessageSchema
  .extend({
    channel: z.enum(sessionChannels).meta({ description: 'How the turn was said: in the voice room, or typed' }),
    offset_seconds: z
      .number()
      .nullable()
      .meta({ description: "Seconds from the session's start_time to this message; null while start_time is null" }),
  })
  .meta({ id: 'SessionMessage' });
export type SessionMessageView = z.infer<typeof sessionMessageSchema>;

export const sessionWithMessagesSchema = sessionSchema
  .extend({
    messages: z.array(sessionMessageSchema),
    full_transcript: z
      .string()
      .meta({ description: 'One line per message in sequence order, `Student: …` or `Patient: …`' }),
    word_count: z
      .object({ student: z.number().int(), patient: z.number().int(), total: z.number().int() })
      .meta({ description: "Words (runs of non-space characters) in the student's and the patient's messages" }),
  })
  .meta({ id: 'SessionWithMessages' });
export type SessionWithMessages = z.infer<typeof sessionWithMessagesSchema>;

export const sessionSummarySchema = sessionSchema
  .pick({
    id: true,
    content_type_id: true,
    content_id: true,
    status: true,
    is_active: true,
    start_time: true,
    end_time: true,
    created_at: true,
    end_reason: true,
    elapsed_active_time: true,
    resume_deadline: true,
    reconnects_remaining: true,
    remaining_active_time: true,
  })
  .meta({ id: 'SessionSummary' });
export type SessionSummary = z.infer<typeof sessionSummarySchema>;
