/**
 * The one table of error codes. Every failure the API reports is one of these;
 * `apps/api` turns a DomainError into `{ success: false, message, error }`.
 */
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
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = errorStatus[code];
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
