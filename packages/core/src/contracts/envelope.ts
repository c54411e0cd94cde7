/**
 * The response envelope every `/v1` answer wears:
 * `{ success: true, data, message }` or `{ success: false, message, error: { code, details } }`,
 * and the one paging envelope of every list: `total`, `page`, `page_size`, `total_pages` beside `data`.
 */
import { z } from 'zod';
import { errorCodes } from '../errors.js';

export const errorEnvelopeSchema = z
  .object({
    success: z.literal(false),
    message: z.string(),
    error: z.object({
      code: z.enum(errorCodes),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every failure: an HTTP status, a stable code and details.' });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** `{ success: true, data, message }` around a payload schema. */
export function successEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, message: z.string().nullable() });
}

/** The paging query every list takes: `skip` rows, then at most `limit`. */
export const pageQuery = {
  skip: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

/** The paging fields a list answer carries beside `data`. */
export const pageFields = {
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
  total_pages: z.number().int(),
};

/** `{ success: true, data: item[], total, page, page_size, total_pages, message }`: a page of a list. */
export function pagedEnvelope<T extends z.ZodType>(item: T) {
  return z.object({ success: z.literal(true), data: z.array(item), ...pageFields, message: z.string().nullable() });
}

/** Page arithmetic for a skip/limit window. */
export function pageOf(skip: number, limit: number, total: number) {
  return { page: Math.floor(skip / limit) + 1, page_size: limit, total_pages: Math.ceil(total / limit) };
}
