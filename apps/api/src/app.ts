/**
 * The control-plane API: one router per resource under /v1, all behind the
 * bearer-token check, with the OpenAPI document generated from the routes'
 * zod contracts. Build it with `createApp(deps)`; `main.ts` serves it.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { MESSAGE_BODY_MAX } from '@sp/core';
import { sql } from 'drizzle-orm';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { pino } from 'pino';
import { adminRoutes } from './admin/routes.js';
import { usageRoutes } from './admin/usage-routes.js';
import { caseAuthoringRoutes } from './case-authoring/routes.js';
import { caseStudyRoutes } from './case-studies/routes.js';
import { conversationRoutes } from './chat/conversation-routes.js';
import { chatRoutes } from './chat/routes.js';
import type { AppEnv } from './http/app-context.js';
import { authenticate, tenantDirectory, tokenVerifier } from './http/auth.js';
import { BackgroundWork } from './http/background-work.js';
import { crossOrigin } from './http/cors.js';
import type { AppDeps, Services } from './http/deps.js';
import { onError, onNotFound, payloadTooLarge, validationHook } from './http/errors.js';
import { BEARER } from './http/openapi.js';
import { rateLimited } from './http/rate-limits.js';
import { REFERENCE_SCRIPT_PATH, referenceDocument, referenceScript } from './http/reference-page.js';
import { referencePage, securityHeaders } from './http/secure-headers.js';
import { textInputRule } from './http/text-input.js';
import { DEFAULT_WEB_DIST_DIR, isBuiltWebApp, serveWebApp } from './http/web-app.js';
import { mcpEndpoint } from './mcp/mcp-endpoint.js';
import { reportRoutes } from './reports/routes.js';
import { sessionRoutes } from './sessions/routes.js';
import { staffSessionRoutes } from './sessions/staff-routes.js';
import { authConfigRoutes, devSignInEnabled } from './sign-in/auth-config-routes.js';
import { devSignInRoutes } from './sign-in/dev-sign-in-routes.js';
import { staffRoutes } from './staff/routes.js';
import { StreamWakeups } from './streaming/stream-replay.js';
import { sessionMessageRoutes } from './text-channel/routes.js';
import { voiceRoutes } from './voices/routes.js';
import { liveKitWebhookRoutes } from './webhooks/livekit-routes.js';

export type App = OpenAPIHono<AppEnv>;

/**
 * Bodies of the typed turns, bounded by what their contract allows: 8000 characters of at most 3 UTF-8
 * bytes each (a UTF-16 unit never takes more), plus the JSON around them (and the chat's page context).
 */
export const TEXT_TURN_MAX_BODY_BYTES = MESSAGE_BODY_MAX * 3 + 1024;
export const CHAT_MAX_BODY_BYTES = MESSAGE_BODY_MAX * 3 + 8 * 1024;
/** A request id a client sends is kept when it is this short and only `A-Za-z0-9_-=`; otherwise a fresh one. */
export const REQUEST_ID_MAX_LENGTH = 64;

export function createApp(deps: AppDeps): App {
  const services: Services = {
    now: () => new Date(),
    logger: pino({ level: deps.config.LOG_LEVEL, base: { service: 'api' } }),
    models: { configured: false, reason: 'no model endpoint was given to the API' },
    work: new BackgroundWork(),
    streams: new StreamWakeups(),
    ...deps,
  };
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(onNotFound);
  app.use('*', requestId({ limitLength: REQUEST_ID_MAX_LENGTH }));
  app.use('*', requestLog(services));
  app.use(
    '*',
    securityHeaders({
      liveKitUrl: services.config.LIVEKIT_PUBLIC_URL ?? services.config.LIVEKIT_URL,
      oidcIssuer: services.config.OIDC_ISSUER,
    }),
  );

  app.get('/healthz', async (c) => {
    await services.db.execute(sql`select 1`);
    return c.json({ status: 'ok' });
  });
  app.openAPIRegistry.registerComponent('securitySchemes', BEARER, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Claims: sub, tenant_id, role (student | instructor | admin)',
  });
  app.doc('/openapi.json', {
    openapi: '3.0.3',
    info: { title: 'Standardized Patient API', version: '1.0.0' },
  });
  app.get('/docs', referencePage(referenceDocument));
  app.get(REFERENCE_SCRIPT_PATH, referenceScript());

  // Other origins' pages (CORS_ORIGINS) may call; a preflight is answered before any token check.
  app.use(
    '/v1/*',
    crossOrigin({ origins: services.config.CORS_ORIGINS, maxAgeSeconds: services.config.CORS_MAX_AGE_SECONDS }),
  );
  // The oversized rest of the body is never read: the answer closes the connection, so a pooled client opens a
  // fresh one for its next request rather than writing to a socket that is going away.
  app.use(
    '/v1/sessions/:session_id/messages',
    bodyLimit({ maxSize: TEXT_TURN_MAX_BODY_BYTES, onError: payloadTooLarge }),
  );
  app.use('/v1/mind/chat', bodyLimit({ maxSize: CHAT_MAX_BODY_BYTES, onError: payloadTooLarge }));
  app.use('/v1/*', bodyLimit({ maxSize: services.config.MAX_BODY_BYTES, onError: payloadTooLarge }));
  // Signed by LiveKit, not by a bearer token: mounted before the token check, which it never reaches.
  app.route('/v1/webhooks', liveKitWebhookRoutes(services));
  const bearer = authenticate(tokenVerifier(services.config), tenantDirectory(services.db));
  app.use('/v1/*', bearer);
  app.use('/v1/*', textInputRule());
  // Rate limits per user and route family, shared by every API process (counted in PostgreSQL).
  app.use('/v1/sessions/initialize', rateLimited(services, 'session_start'));
  app.use('/v1/sessions/:session_id/messages', rateLimited(services, 'text_turn'));
  app.use('/v1/mind/chat', rateLimited(services, 'study_assistant'));
  // Resources, one router each.
  app.route('/v1/sessions', sessionRoutes(services));
  app.route('/v1/case-studies', caseStudyRoutes(services));
  app.route('/v1/sessions', reportRoutes(services));
  app.route('/v1/sessions', sessionMessageRoutes(services));
  app.route('/v1/mind', chatRoutes(services));
  app.route('/v1/mind', conversationRoutes(services));
  app.route('/v1/admin', adminRoutes(services));
  app.route('/v1/admin', staffSessionRoutes(services));
  app.route('/v1/admin', staffRoutes(services));
  app.route('/v1/usage', usageRoutes(services));
  app.route('/v1/voices', voiceRoutes(services));
  app.route('/v1/authoring/cases', caseAuthoringRoutes(services));

  // AI assistants (MCP): the same routes as tools, behind the same token check (docs/mcp.md).
  app.use('/mcp', bodyLimit({ maxSize: services.config.MAX_BODY_BYTES, onError: payloadTooLarge }));
  app.use('/mcp', bearer);
  app.post('/mcp', mcpEndpoint(app));
  app.on(['GET', 'DELETE'], '/mcp', (c) =>
    c.json(
      { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless' }, id: null },
      405,
    ),
  );

  // The web app's demo sign-in: never in production, and only where the API signs its own tokens.
  app.route('/auth', authConfigRoutes(services));
  if (devSignInEnabled(services)) {
    app.use('/dev/*', bodyLimit({ maxSize: services.config.MAX_BODY_BYTES }));
    app.route('/dev/sign-in', devSignInRoutes(services));
  }
  const webDist = services.config.WEB_DIST_DIR ?? DEFAULT_WEB_DIST_DIR;
  if (isBuiltWebApp(webDist)) serveWebApp(app, webDist);
  return app;
}

/** One JSON line per request; handlers log through `c.var.log`, which carries the request id. */
function requestLog({ logger }: Services) {
  return async (c: import('hono').Context<AppEnv>, next: () => Promise<void>) => {
    const started = performance.now();
    c.set('log', logger.child({ req_id: c.var.requestId }));
    await next();
    c.var.log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  };
}
