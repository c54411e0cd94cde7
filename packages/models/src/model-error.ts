/**
 * A failed model call, reduced to what a caller decides on: may it be retried,
 * and how long does the provider ask us to wait.
 */
import { APIConnectionError, APIError } from 'openai';

export class ModelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function toModelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  if (error instanceof APIConnectionError) {
    return new ModelError(`model endpoint unreachable: ${error.message}`, true);
  }
  if (error instanceof APIError) {
    const status = error.status;
    const retryable = status === undefined || status >= 500 || RETRYABLE_STATUS.has(status);
    return new ModelError(
      `model endpoint answered ${status ?? 'an error'}: ${error.message}`,
      retryable,
      status,
      retryAfterMs(error.headers),
    );
  }
  return new ModelError(error instanceof Error ? error.message : String(error), false);
}
