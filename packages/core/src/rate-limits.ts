/**
 * Rate limits per user and route family, counted in fixed windows of
 * `windowSeconds` aligned to the epoch: every API process that counts the same
 * (user, family, window) agrees on the window, so a shared counter is enough.
 * (The study assistant's daily quota is a product rule of its own, not this.)
 */
export const rateLimitFamilies = ['session_start', 'text_turn', 'study_assistant'] as const;
export type RateLimitFamily = (typeof rateLimitFamilies)[number];

/** The window `now` falls in. */
export function rateWindow(now: Date, windowSeconds: number): { start: Date; end: Date } {
  const size = windowSeconds * 1000;
  const start = Math.floor(now.getTime() / size) * size;
  return { start: new Date(start), end: new Date(start + size) };
}

export type RateVerdict =
  | { kind: 'allowed'; remaining: number }
  /** Retry after this many whole seconds (at least 1): when the window ends. */
  | { kind: 'limited'; retryAfterSeconds: number };

/** `hits` counts this request too: the limit-th request is allowed, the next one is not. */
export function rateVerdict(hits: number, limit: number, windowEnd: Date, now: Date): RateVerdict {
  if (hits <= limit) return { kind: 'allowed', remaining: limit - hits };
  return { kind: 'limited', retryAfterSeconds: Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000)) };
}
