/** GET /v1/sessions: the caller's sessions, a page at a time. */
import { z } from 'zod';
import { pagedEnvelope, pageQuery } from './envelope.js';
import { contentIdSchema } from './initialize.js';
import { sessionSummarySchema } from './session.js';

export const listSessionsQuerySchema = z.object({
  content_id: contentIdSchema
    .optional()
    .meta({ description: 'Only sessions of this case study (its id or external_id)' }),
  ...pageQuery,
});
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

export const sessionListResponseSchema = pagedEnvelope(sessionSummarySchema).meta({ id: 'SessionList' });
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;
