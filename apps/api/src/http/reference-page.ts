/**
 * The API reference at `/docs`: Scalar's page for `/openapi.json`, its script served by the API
 * itself from the installed `@scalar/api-reference` (the version pinned by the lockfile), so the page
 * works with no internet: no CDN, no web fonts, no telemetry, no hosted AI assistant.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Scalar } from '@scalar/hono-api-reference';
import type { Context } from 'hono';

/** Where the page loads its script from: this API. */
export const REFERENCE_SCRIPT_PATH = '/docs/assets/api-reference.js';
const STANDALONE = createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js');

/** The page itself. */
export const referenceDocument = Scalar({
  url: '/openapi.json',
  pageTitle: 'Standardized Patient API',
  cdn: REFERENCE_SCRIPT_PATH,
  withDefaultFonts: false,
  telemetry: false,
  // Every operation in the sidebar from the start; none of Scalar's hosted extras (they need its servers).
  defaultOpenAllTags: true,
  showDeveloperTools: 'never',
  agent: { disabled: true },
});

/**
 * The bundled zod probes whether `new Function` works (to speed parsing up) and falls back when it does
 * not; the page's content security policy refuses eval, so the probe's only effect would be a policy
 * violation on every visit. The served bundle answers the probe "no" itself.
 */
const ZOD_EVAL_PROBE = 'try{return new Function(""),!0}catch(e){return!1}';

/** The standalone bundle (read once, on the first request). */
export function referenceScript() {
  let script: Promise<Buffer> | null = null;
  return async (c: Context) => {
    script ??= readFile(STANDALONE, 'utf8').then((text) => Buffer.from(text.replace(ZOD_EVAL_PROBE, 'return!1')));
    return c.body(new Uint8Array(await script), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
    });
  };
}
