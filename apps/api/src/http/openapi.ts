/** Shared pieces of the generated OpenAPI document: JSON bodies, error answers, the bearer scheme. */
import { errorEnvelopeSchema } from '@sp/core';
import { z } from 'zod';

export const BEARER = 'bearer';
export const security = [{ [BEARER]: [] }];

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

/** The documented failures of a route, all in the error envelope. */
export function errors<S extends number>(answers: Record<S, string>) {
  const out = {} as Record<S, ReturnType<typeof json<typeof errorEnvelopeSchema>>>;
  for (const [status, description] of Object.entries(answers) as [string, string][]) {
    out[Number(status) as S] = json(errorEnvelopeSchema, description);
  }
  return out;
}

/** What any authenticated route may answer, whatever it does. */
export const authErrors = {
  401: 'UNAUTHORIZED: missing, invalid or expired bearer token, or claims breaking the rules (no `exp`, too long a lifetime, `iat` ahead)',
  403: "FORBIDDEN: the token's tenant is not registered on this platform",
  503: 'SERVICE_UNAVAILABLE: the database is briefly unavailable; retry after `Retry-After` seconds',
} as const;

/** The rate limit of a route family (docs/api.md#rate-limits). */
export const rateLimitError = {
  429: 'RATE_LIMITED: too many requests of this kind in the window; `Retry-After` says how many seconds to wait',
} as const;

/** A `text/event-stream` answer: its schema is the `data` of one frame, any of the stream's events. */
/** The frames an event stream may send, one schema each (at least two). */
export type EventFrames = [z.ZodType, z.ZodType, ...z.ZodType[]];

export function eventStreamAnswer(description: string, frames: EventFrames) {
  const schema = z.union(frames).meta({ description: "One frame's `data` (JSON); the frame's `event` names which" });
  return { content: { 'text/event-stream': { schema } }, description };
}
