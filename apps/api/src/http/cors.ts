/**
 * CORS for other frontends: a university's own portal may call the API from
 * the origins listed in CORS_ORIGINS (none by default; the web app the API
 * serves is same-origin and needs none of this). Bearer tokens travel in the
 * Authorization header, so credentials (cookies) stay off.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** What a portal may send and read beyond the CORS-safelisted headers. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Last-Event-ID', 'X-Request-Id'];
export const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id'];

export function crossOrigin(options: { origins: string[]; maxAgeSeconds: number }): MiddlewareHandler {
  const allowed = new Set(options.origins);
  const allow = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST'],
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: options.maxAgeSeconds,
    credentials: false,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && allowed.has(origin)) return allow(c, next);
    // A preflight from any other origin gets an answer that grants nothing, so the browser refuses the call.
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return c.body(null, 204, { Vary: 'Origin' });
    }
    await next();
    if (allowed.size) c.header('Vary', 'Origin', { append: true });
  };
}
