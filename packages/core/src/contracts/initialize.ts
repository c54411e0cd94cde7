/** POST /v1/sessions/initialize: a new session, or a resume when `session_id` is given. */
import { z } from 'zod';
import { sessionSchema, transcriptMessageSchema } from './session.js';

export const initializeRequestSchema = z
  .object({
    content_id: z.uuid().meta({ description: 'The case study to practise (`id` from GET /v1/case-studies)' }),
    session_id: z.uuid().optional().meta({ description: 'The session to resume; omit to start a new one' }),
    channel: z
      .enum(['voice', 'text'])
      .optional()
      .meta({
        description:
          'A new session by `voice` (default) or by `text` (POST /v1/sessions/{id}/messages; no LiveKit room is opened). ' +
          'A resume is always by voice.',
      }),
  })
  .refine((request) => !(request.session_id && request.channel === 'text'), {
    path: ['channel'],
    message: 'a resume is by voice; to carry on by text, post to /v1/sessions/{session_id}/messages',
  })
  .meta({ id: 'InitializeRequest' });
export type InitializeRequest = z.infer<typeof initializeRequestSchema>;

export const initializeResponseSchema = z
  .object({
    session: sessionSchema,
    server_url: z.string().meta({ description: 'LiveKit URL the browser connects to' }),
    room_name: z.string().regex(/^mind-[0-9a-f]{12}$/),
    participant_token: z.string().meta({ description: 'LiveKit access token for this room only' }),
    participant_name: z.literal('user'),
    is_resume: z.boolean(),
    elapsed_active_time: z.number(),
    duration_limit: z.number().int(),
    transcript: z.array(transcriptMessageSchema).meta({ description: 'Saved turns (on a resume)' }),
  })
  .meta({ id: 'InitializeResponse' });
export type InitializeResponse = z.infer<typeof initializeResponseSchema>;
