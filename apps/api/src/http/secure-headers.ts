/**
 * The security headers on every answer (`hono/secure-headers`), with a content
 * security policy for the two kinds of page the API serves: the built web app
 * (its own scripts and styles only, talking to the API and to LiveKit) and the
 * `/docs` reference page (whose inline boot script is allowed by its hash, so
 * no other inline script runs). JSON and event streams get the strictest
 * policy: they are never meant to render.
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/** What a JSON or event-stream answer may load if a browser renders it anyway: nothing. */
const API_POLICY = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };

/** LiveKit's address in both schemes: the client signals over WebSocket and validates over HTTP(S) on failure. */
export function liveKitSources(url: string): string[] {
  const { host, protocol } = new URL(url);
  const secure = protocol === 'wss:' || protocol === 'https:';
  return [`${secure ? 'wss' : 'ws'}://${host}`, `${secure ? 'https' : 'http'}://${host}`];
}

/**
 * The web app: scripts and styles from its own files, API calls to this origin, the voice room on
 * LiveKit, and the OpenID Connect provider's discovery and token endpoints when one is configured.
 */
function webAppPolicy(liveKitUrl: string, oidcIssuer?: string) {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'", ...liveKitSources(liveKitUrl), ...(oidcIssuer ? [new URL(oidcIssuer).origin] : [])],
    mediaSrc: ["'self'", 'blob:'],
    workerSrc: ["'self'", 'blob:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
}

/**
 * The reference page's policy, read off the page itself: its inline scripts by hash, the hosts its
 * script tags load from (a CDN, or this origin when the bundle is served locally). The reference
 * renders its own styles at run time, so styles may be inline; scripts may not.
 */
export function docsPolicy(html: string) {
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) =>
      `'sha256-${createHash('sha256')
        .update(body ?? '')
        .digest('base64')}'`,
  );
  const hosts = [...html.matchAll(/<script[^>]*\bsrc="(https?:\/\/[^"/]+)/g)].map(([, origin]) => origin ?? '');
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", ...new Set(hosts), ...inline],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
}

const common: SecureHeadersOptions = {
  // The voice session needs the microphone (on this origin only); nothing else is asked for.
  permissionsPolicy: { microphone: ['self'], camera: [], geolocation: [], payment: [] },
  // The API's answers are read by other origins' pages through CORS (docs/api.md#cors), not embedded.
  crossOriginResourcePolicy: 'same-origin',
  referrerPolicy: 'no-referrer',
};

/** Headers for every answer; pages pick their policy by path (the reference page brings its own, see `referencePage`). */
export function securityHeaders(options: { liveKitUrl: string; oidcIssuer?: string }): MiddlewareHandler {
  const api = secureHeaders({ ...common, contentSecurityPolicy: API_POLICY });
  const docs = secureHeaders({ ...common, overwrite: false });
  const page = secureHeaders({
    ...common,
    contentSecurityPolicy: webAppPolicy(options.liveKitUrl, options.oidcIssuer),
  });
  return async (c, next) => {
    const path = c.req.path;
    if (path === '/docs' || path.startsWith('/docs/')) return docs(c, next);
    if (/^\/(v1|mcp|openapi\.json|healthz)(\/|$)/.test(path)) return api(c, next);
    return page(c, next);
  };
}

/** The reference page with the policy its own HTML needs (the page does not change while the API runs). */
export function referencePage(render: MiddlewareHandler) {
  let policy: string | undefined;
  return async (c: Context, next: Next) => {
    const res = (await render(c, next)) ?? c.res;
    policy ??= cspHeader(docsPolicy(await res.clone().text()));
    res.headers.set('Content-Security-Policy', policy);
    return res;
  };
}

const cspHeader = (policy: Record<string, string[]>) =>
  Object.entries(policy)
    .map(([directive, values]) => `${directive.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} ${values.join(' ')}`)
    .join('; ');
