/**
 * The response envelope every `/v1` answer wears:
 * `{ success: true, data, message }` or `{ success: false, message, error: { code, details } }`.
 */
import { z } from 'zod';
import { errorStatus } from '../errors.js';

export const errorEnvelopeSchema = z
  .object({
    success: z.literal(false),
    message: z.string(),
    error: z.object({
      code: z.enum(Object.keys(errorStatus) as [keyof typeof errorStatus, ...(keyof typeof errorStatus)[]]),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every failure: an HTTP status, a stable code and details.' });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** `{ success: true, data, message }` around a payload schema. */
export function successEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, message: z.string().nullable() });
}
