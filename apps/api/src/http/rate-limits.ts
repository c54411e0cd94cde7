/**
 * Rate limits per user and route family (@sp/core `rateVerdict`), counted in
 * PostgreSQL so that every API process shares one count: one upsert per
 * limited request returns the window's hits, this request included. Over the
 * limit answers 429 RATE_LIMITED with `Retry-After` (seconds to the window's
 * end) before the route does anything.
 */
import { DomainError, type RateLimitFamily, rateVerdict, rateWindow } from '@sp/core';
import { rateLimitHits } from '@sp/db';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-context.js';
import type { Services } from './deps.js';

const limitSettings = {
  session_start: 'RATE_LIMIT_SESSION_STARTS',
  text_turn: 'RATE_LIMIT_TEXT_TURNS',
  study_assistant: 'RATE_LIMIT_STUDY_ASSISTANT',
} as const satisfies Record<RateLimitFamily, string>;

export function rateLimited(services: Services, family: RateLimitFamily): MiddlewareHandler<AppEnv> {
  const { db, config, now } = services;
  const limit = config[limitSettings[family]];
  const windowSeconds = config.RATE_LIMIT_WINDOW_SECONDS;
  return async (c, next) => {
    if (limit === null || c.req.method !== 'POST') return next();
    const { tenantId, userId } = c.var.auth;
    const at = now();
    const window = rateWindow(at, windowSeconds);
    const [row] = await db
      .insert(rateLimitHits)
      .values({ tenantId, userId, family, windowStart: window.start, hits: 1 })
      .onConflictDoUpdate({
        target: [rateLimitHits.tenantId, rateLimitHits.userId, rateLimitHits.family, rateLimitHits.windowStart],
        set: { hits: sql`${rateLimitHits.hits} + 1` },
      })
      .returning({ hits: rateLimitHits.hits });
    const hits = row?.hits ?? 1;
    // The first hit of a window clears this user's older windows of the family: the table holds live windows only.
    if (hits === 1) {
      await db
        .delete(rateLimitHits)
        .where(
          and(
            eq(rateLimitHits.tenantId, tenantId),
            eq(rateLimitHits.userId, userId),
            eq(rateLimitHits.family, family),
            lt(rateLimitHits.windowStart, window.start),
          ),
        );
    }
    const verdict = rateVerdict(hits, limit, window.end, at);
    if (verdict.kind === 'limited') {
      c.header('Retry-After', String(verdict.retryAfterSeconds));
      throw new DomainError('RATE_LIMITED', `Too many requests; try again in ${verdict.retryAfterSeconds} s`, {
        family,
        limit,
        window_seconds: windowSeconds,
        retry_after_seconds: verdict.retryAfterSeconds,
      });
    }
    await next();
  };
}
