/**
 * `/docs` works offline: Chromium (Debian's, through playwright-core) opens the reference page with
 * every request outside this machine refused, and finds the API's operations listed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { chromiumLaunch } from '@sp/testkit';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_SCRIPT_PATH } from '../../src/http/reference-page.js';
import { buildTestApp } from '../support.js';

const test = await buildTestApp();
let base: string;
let context: BrowserContext;
let profile: string;
const outside: string[] = [];

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

beforeAll(async () => {
  base = await new Promise<string>((resolve) => {
    const server = serve({ fetch: test.app.fetch, port: 0, hostname: '127.0.0.1' }, ({ port }) =>
      resolve(`http://127.0.0.1:${port}`),
    );
    afterAll(() => void server.close());
  });
  profile = await mkdtemp(join(tmpdir(), 'sp-docs-profile-'));
  // A fresh profile (--user-data-dir) of its own.
  context = await chromium.launchPersistentContext(profile, {
    ...chromiumLaunch,
    headless: true,
  });
  // No network beyond this machine: anything else is refused, and noted.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || isLocal(url)) return route.continue();
    outside.push(url);
    return route.abort('internetdisconnected');
  });
}, 60_000);
afterAll(async () => {
  await context?.close();
  await rm(profile, { recursive: true, force: true });
});

describe('/docs with no internet', { timeout: 60_000 }, () => {
  it('serves its script from the installed package, not a CDN', async () => {
    const page = await (await fetch(`${base}/docs`)).text();
    expect(page).toContain(`<script src="${REFERENCE_SCRIPT_PATH}"></script>`);
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"'\s]*\.(js|css)/);
    const script = await fetch(`${base}${REFERENCE_SCRIPT_PATH}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('renders the reference with every operation listed, asking nothing of the outside world', async () => {
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    const summaries = Object.values(spec.paths).flatMap((operations) =>
      Object.values(operations).flatMap((operation) => (operation.summary ? [operation.summary] : [])),
    );
    expect(summaries.length).toBeGreaterThan(10);

    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/docs`);
    await page
      .getByText(summaries[0] ?? '', { exact: true })
      .first()
      .waitFor({ timeout: 30_000 });
    const text = (await page.locator('body').textContent()) ?? '';

    expect(summaries.filter((summary) => !text.includes(summary))).toEqual([]);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
