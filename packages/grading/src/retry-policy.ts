/**
 * How a job retries a failed model call: exponential backoff with jitter up to
 * `maxDelayMs`, but never shorter than the provider's retry-after (itself
 * honoured up to a minute).
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const RETRY_AFTER_CEILING_MS = 60_000;

/** The pause after failed attempt number `attempt` (1-based). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs = 0, random = Math.random): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = backoff / 2 + (random() * backoff) / 2;
  return Math.round(Math.max(Math.min(policy.maxDelayMs, jittered), Math.min(retryAfterMs, RETRY_AFTER_CEILING_MS)));
}
