/**
 * The one place that turns a failure into an HTTP answer: a DomainError keeps
 * its code and answers its code's status (`errorStatus`), a zod failure becomes 422 VALIDATION_ERROR naming each
 * bad field, Hono's own 4xx (bad JSON, media type, size) get their codes, and
 * anything else is a logged 500 that says nothing about the internals.
 */
import { DomainError, type ErrorCode, type ErrorEnvelope, fieldPath } from '@sp/core';
import { isDatabaseUnavailable } from '@sp/db';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { AppEnv } from './app-context.js';

/** The HTTP status each error code answers with. */
export const errorStatus = {
  VALIDATION_ERROR: 422,
  INVALID_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SESSION_ACTIVE: 409,
  SESSION_NOT_ACTIVE: 409,
  SESSION_CHANNEL_CONFLICT: 409,
  SESSION_BUSY: 409,
  GRADING_IN_PROGRESS: 409,
  REPORT_NOT_COMPLETED: 409,
  CASE_ARCHIVED: 409,
  SESSION_ENDED: 410,
  SESSION_USER_ENDED: 410,
  SESSION_TIMER_EXPIRED: 410,
  SESSION_CONVERSATION_TTL_EXCEEDED: 410,
  SESSION_RECONNECT_EXCEEDED: 410,
  SESSION_PENDING_TIMEOUT: 410,
  SESSION_STAFF_ENDED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  LIVEKIT_UNAVAILABLE: 502,
  MODEL_UNAVAILABLE: 502,
  MODEL_NOT_CONFIGURED: 503,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorEnvelope {
  return { success: false, message, error: { code, details } };
}

function answer(c: Context, error: DomainError) {
  return c.json(errorBody(error.code, error.message, error.details), errorStatus[error.code]);
}

/** `{ fields: [{ field: 'content_id', in: 'body', message }] }`, one entry per bad field (`rubric[3].weight`). */
export function validationError(error: ZodError, location: string): DomainError {
  const fields = error.issues.map((issue) => ({
    field: fieldPath(issue.path),
    in: location,
    message: issue.message,
  }));
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  return new DomainError('VALIDATION_ERROR', `Invalid request: ${names}`, { fields });
}

/** The zod-openapi hook: every request validation failure answers through here. */
export const validationHook = (
  result: { success: true } | { success: false; error: ZodError; target: string },
  c: Context,
) => {
  if (!result.success) {
    const location = result.target === 'json' ? 'body' : result.target;
    return answer(c, validationError(result.error, location));
  }
};

const httpExceptionCodes: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_JSON',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const httpExceptionMessages: Partial<Record<ErrorCode, string>> = {
  INVALID_JSON: 'The request body is not valid JSON',
  PAYLOAD_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json',
};

/** What a 503 for an unavailable database tells the client to wait before retrying. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof DomainError) {
    if (errorStatus[error.code] >= 500)
      c.var.log?.warn({ code: error.code, reason: describeCause(error) }, error.message);
    return answer(c, error);
  }
  if (error instanceof HTTPException && error.status < 500) {
    const code = httpExceptionCodes[error.status] ?? 'VALIDATION_ERROR';
    const message = httpExceptionMessages[code] ?? error.message;
    return c.json(errorBody(code, message), error.status as ContentfulStatusCode);
  }
  if (isDatabaseUnavailable(error)) {
    // Down, restarting, unreachable or past a deadline: fail fast and say when to try again.
    c.var.log?.warn({ reason: describeCause(error) ?? error.message }, 'database unavailable');
    c.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    return c.json(
      errorBody('SERVICE_UNAVAILABLE', 'The service is briefly unavailable; please try again shortly'),
      errorStatus.SERVICE_UNAVAILABLE,
    );
  }
  c.var.log?.error({ err: error }, 'unhandled error');
  return c.json(errorBody('INTERNAL_ERROR', 'Something went wrong on our side'), errorStatus.INTERNAL_ERROR);
};

export const onNotFound: NotFoundHandler = (c) =>
  c.json(errorBody('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`), 404);

const describeCause = (error: Error) => (error.cause instanceof Error ? error.cause.message : undefined);

/** 413 with `Connection: close`: the unread rest of the body makes the connection unusable for another request. */
export const payloadTooLarge = (c: Context) => {
  c.header('Connection', 'close');
  return c.json(errorBody('PAYLOAD_TOO_LARGE', httpExceptionMessages.PAYLOAD_TOO_LARGE ?? ''), 413);
};
