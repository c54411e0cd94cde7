/** What the API says about a session and its transcript (snake_case, as in the contract). */
import { z } from 'zod';
import { endReasons, sessionStatuses } from '../session-rules.js';

const timestamp = z.iso.datetime({ offset: true });

export const transcriptMessageSchema = z
  .object({
    role: z.enum(['user', 'assistant']).meta({ description: '`user` is the student, `assistant` the AI patient' }),
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
    conversation_id: z.string().nullable(),
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
      .meta({ description: 'Why it ended; the reconnect-window ending is spelled `conversation_ttl_exceeded`' }),
    duration_limit: z.number().int().meta({ description: 'Active time budget in seconds' }),
  })
  .meta({ id: 'Session' });
export type SessionView = z.infer<typeof sessionSchema>;

export const sessionWithMessagesSchema = sessionSchema
  .extend({ messages: z.array(transcriptMessageSchema) })
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
  })
  .meta({ id: 'SessionSummary' });
export type SessionSummary = z.infer<typeof sessionSummarySchema>;
