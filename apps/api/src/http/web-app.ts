/**
 * The built web app (`apps/web/dist`), served by the API at `/` so the browser
 * talks to one origin. Files are served as they are; a page address the app
 * routes itself (`/sessions/…/report`) gets `index.html` when the browser asks
 * for HTML. API paths never fall back to the page.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './app-context.js';

/** Where `pnpm --filter @sp/web build` writes the app, when WEB_DIST_DIR does not say otherwise. */
export const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const API_PATHS = /^\/(v1|dev|docs|openapi\.json|healthz|auth\/config)(\/|$)/;

/** True when `dir` holds a built app (its index.html). */
export const isBuiltWebApp = (dir: string) => existsSync(join(dir, 'index.html'));

export function serveWebApp(app: Hono<AppEnv>, dir: string) {
  // serveStatic reads paths relative to the working directory.
  const root = relative(process.cwd(), dir) || '.';
  const file = serveStatic({ root });
  const page = serveStatic({ root, path: 'index.html' });
  app.get('*', async (c, next) => {
    const found = await file(c, next);
    // (When no file matched, the middleware handed over to the next handler and returns no Response.)
    if (!(found instanceof Response)) return;
    // Hashed file names under assets/ never change; anything else must be fetched fresh to find new ones.
    const immutable = c.req.path.startsWith('/assets/');
    found.headers.set('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return found;
  });
  app.get('*', async (c, next) => {
    const wantsPage = c.req.header('accept')?.includes('text/html') && !API_PATHS.test(c.req.path);
    if (!wantsPage) return next();
    const found = await page(c, next);
    if (!(found instanceof Response)) return;
    found.headers.set('cache-control', 'no-cache');
    return found;
  });
}
