/** POST /v1/sessions/initialize: a new session, or a resume when `session_id` is given. */
import { z } from 'zod';
import { sessionChannels } from '../vocabulary.js';
import { sessionSchema, transcriptMessageSchema } from './session.js';

/** The most characters `metadata` (serialized as JSON) and `context` may each have. */
export const SESSION_EXTRAS_MAX_CHARS = 16_000;

/** A case study's `id` or its `external_id`: any non-empty id; one that names no case answers 404. */
export const contentIdSchema = z.string().min(1).max(200).meta({
  description:
    "The case study: its `id` from GET /v1/case-studies, or its `external_id` (your content system's id, e.g. `6650e5f6a7b8c9d0e1f2a3b4`)",
});

export const sessionMetadataSchema = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= SESSION_EXTRAS_MAX_CHARS, {
    message: `must be at most ${SESSION_EXTRAS_MAX_CHARS} characters serialized as JSON`,
  })
  .meta({
    description: `Any JSON object, at most ${SESSION_EXTRAS_MAX_CHARS} characters serialized; returned on the session`,
  });

export const initializeRequestSchema = z
  .object({
    content_id: contentIdSchema,
    session_id: z.uuid().optional().meta({ description: 'The session to resume; omit to start a new one' }),
    channel: z
      .enum(sessionChannels)
      .optional()
      .meta({
        description:
          'A new session by `voice` (default) or by `text` (POST /v1/sessions/{id}/messages; no LiveKit room is opened). ' +
          'A resume is always by voice.',
      }),
    metadata: sessionMetadataSchema.optional(),
    context: z
      .string()
      .max(SESSION_EXTRAS_MAX_CHARS)
      .optional()
      .meta({
        description:
          "Free text the patient may use (e.g. the student's year of study), added to the patient's instructions " +
          "after the case's own and never overriding them. At most 16,000 characters.",
      }),
  })
  .refine((request) => !(request.session_id && request.channel === 'text'), {
    path: ['channel'],
    message: 'a resume is by voice; to carry on by text, post to /v1/sessions/{session_id}/messages',
  })
  .refine((request) => !(request.session_id && (request.metadata !== undefined || request.context !== undefined)), {
    path: ['session_id'],
    message: 'metadata and context are given when a session starts; a resume keeps them',
  })
  .meta({ id: 'InitializeRequest' });
export type InitializeRequest = z.infer<typeof initializeRequestSchema>;

export const initializeResponseSchema = z
  .object({
    session: sessionSchema,
    server_url: z
      .string()
      .nullable()
      .meta({ description: 'LiveKit URL the browser connects to; null on the text channel (no room is opened)' }),
    room_name: z
      .string()
      .regex(/^mind-[0-9a-f]{12}$/)
      .nullable()
      .meta({ description: 'The LiveKit room; null on the text channel' }),
    participant_token: z
      .string()
      .nullable()
      .meta({ description: 'LiveKit access token for this room only; null on the text channel' }),
    expires_at: z.iso
      .datetime({ offset: true })
      .nullable()
      .meta({ description: 'When participant_token stops being accepted for joining; null on the text channel' }),
    participant_name: z.literal('user'),
    is_resume: z.boolean(),
    elapsed_active_time: z.number(),
    duration_limit: z.number().int(),
    transcript: z.array(transcriptMessageSchema).meta({ description: 'Saved turns (on a resume)' }),
  })
  .meta({ id: 'InitializeResponse' });
export type InitializeResponse = z.infer<typeof initializeResponseSchema>;
