/** Shared pieces of the generated OpenAPI document: JSON bodies, error answers, the bearer scheme. */
import { errorEnvelopeSchema } from '@sp/core';
import type { z } from 'zod';

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

export const authErrors = { 401: 'Missing, invalid or expired bearer token' } as const;
