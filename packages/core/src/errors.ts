/**
 * The one list of error codes. Every failure the API reports is one of these;
 * `apps/api` turns a DomainError into `{ success: false, message, error }` with
 * the HTTP status of its code (`errorStatus` in apps/api/src/http/errors.ts:
 * statuses are the HTTP layer's, not the rules').
 */
export const errorCodes = [
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'SESSION_ACTIVE',
  'SESSION_NOT_ACTIVE',
  'SESSION_CHANNEL_CONFLICT',
  'SESSION_BUSY',
  'GRADING_IN_PROGRESS',
  'REPORT_NOT_COMPLETED',
  'CASE_ARCHIVED',
  'SESSION_ENDED',
  'SESSION_USER_ENDED',
  'SESSION_TIMER_EXPIRED',
  'SESSION_CONVERSATION_TTL_EXCEEDED',
  'SESSION_RECONNECT_EXCEEDED',
  'SESSION_PENDING_TIMEOUT',
  'SESSION_STAFF_ENDED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'LIVEKIT_UNAVAILABLE',
  'MODEL_UNAVAILABLE',
  'MODEL_NOT_CONFIGURED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
