/** GET /v1/sessions: the caller's sessions, a page at a time. */
import { z } from 'zod';
import { contentIdSchema } from './initialize.js';
import { sessionSummarySchema } from './session.js';

export const listSessionsQuerySchema = z.object({
  content_id: contentIdSchema
    .optional()
    .meta({ description: 'Only sessions of this case study (its id or external_id)' }),
  skip: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

export const sessionListResponseSchema = z
  .object({
    success: z.literal(true),
    data: z.array(sessionSummarySchema),
    total: z.number().int(),
    page: z.number().int(),
    page_size: z.number().int(),
    total_pages: z.number().int(),
    message: z.string().nullable(),
  })
  .meta({ id: 'SessionList' });
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;

/** Page arithmetic for a skip/limit window. */
export function pageOf(skip: number, limit: number, total: number) {
  return { page: Math.floor(skip / limit) + 1, page_size: limit, total_pages: Math.ceil(total / limit) };
}
