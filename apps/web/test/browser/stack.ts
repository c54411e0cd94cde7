/**
 * What the browser tests run against: the web app built by Vite into a folder
 * of the test's own, served by the real API (same origin, as in production)
 * on a fresh real database with the demo tenant seeded, the offline patient
 * and grader (or a local OpenAI-protocol server), the fake LiveKit server,
 * and Debian's Chromium driven by playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { DEMO_TENANT, seedDemo } from '@sp/db';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { gradingConfig, startGradingConsumer } from '@sp/grading';
import type { ModelProvider } from '@sp/models';
import { chromiumLaunch, liveKitSettings, startFakeLiveKit } from '@sp/testkit';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll } from 'vitest';
// The API is started in-process, as its own tests do.
import { createApp } from '../../../api/src/app.js';
import { apiConfig, DEV_JWT_SECRET } from '../../../api/src/config.js';
import { BackgroundWork } from '../../../api/src/http/background-work.js';
import { liveKitRooms } from '../../../api/src/http/livekit.js';
import { signDevToken } from '../../../api/src/sign-in/dev-token.js';
import { recordCspViolations } from './page-checks.js';

const webRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots land here (git-ignored), for people to look at. */
export const ARTIFACTS_DIR = join(webRoot, 'test-artifacts');

/** Builds the web app with Vite into a folder of its own (about a second). */
export async function buildWebApp(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'sp-web-build-'));
  afterAll(() => rm(outDir, { recursive: true, force: true }));
  const vite = join(webRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: webRoot,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stderr}\n${result.stdout}`);
  return outDir;
}

export interface Stack {
  url: string;
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  seeded: Awaited<ReturnType<typeof seedDemo>>;
}

export async function startStack(
  options: { env?: Record<string, string>; models?: ModelProvider; liveKitPublicUrl?: string } = {},
): Promise<Stack> {
  const webDist = await buildWebApp();
  const db = await createTestDatabase({ max: 10 });
  const seeded = await seedDemo(db.db);
  const livekit = await startFakeLiveKit({ apiKey: 'test-key', apiSecret: 'test-secret-test-secret-test-secret' });
  afterAll(() => livekit.close());
  const config = apiConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...liveKitSettings(livekit),
    WEB_DIST_DIR: webDist,
    ...(options.liveKitPublicUrl && { LIVEKIT_PUBLIC_URL: options.liveKitPublicUrl }),
    ...options.env,
  });
  const logger = pino({ level: 'silent' });
  const work = new BackgroundWork();
  const app = createApp({
    db: db.db,
    config,
    livekit: liveKitRooms(config),
    work,
    logger,
    ...(options.models && { models: options.models }),
  });
  const grading = await startGradingConsumer({
    db: db.db,
    sql: db.sql,
    logger,
    config: gradingConfig({ GRADING_POLL_SECONDS: '0.5' }),
  });
  const server = await new Promise<{ url: string; close: () => void }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
    );
  });
  afterAll(async () => {
    server.close();
    await work.idle();
    await grading.stop(5_000);
  });
  return { url: server.url, db, seeded };
}

/** Calls the API as the demo student, the way the app does, to set a scene up quickly. */
export async function asDemoStudent(stack: Stack, path: string, json?: unknown) {
  const token = await signDevToken(
    { userId: 'demo-student', tenantId: DEMO_TENANT.id, role: 'student' },
    { secret: DEV_JWT_SECRET },
  );
  const res = await fetch(`${stack.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** Chromium for a test file (Playwright gives each context a fresh profile), closed after the file. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    ...chromiumLaunch,
    args: [...chromiumLaunch.args, ...extraArgs],
  });
  afterAll(() => browser.close());
  return browser;
}

/** A fresh browser profile (its own storage) on the stack, recording content-security-policy violations. */
export async function newContext(browser: Browser, stack: Stack, options: { width?: number } = {}) {
  const context: BrowserContext = await browser.newContext({
    baseURL: stack.url,
    viewport: { width: options.width ?? 1100, height: 800 },
  });
  await context.addInitScript(recordCspViolations);
  return context;
}

/** A fresh browser profile with the page open at `path`. */
export async function openPage(browser: Browser, stack: Stack, path = '/', options: { width?: number } = {}) {
  const context = await newContext(browser, stack, options);
  const page = await context.newPage();
  await page.goto(path);
  return { context, page };
}

/** Signs in through the development sign-in page as one of the demo users. */
export async function signInAs(page: Page, name = 'Sam Student') {
  await page.getByRole('button', { name: new RegExp(`Sign in as ${name}`) }).click();
  await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
}
