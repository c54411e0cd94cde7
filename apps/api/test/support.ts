/**
 * How API tests are built: a fresh real database, the fake LiveKit server
 * (the real RoomServiceClient talks to it), a seeded tenant with a published
 * case study, and `app.request()` without opening a port.
 */
import { createTestDatabase, insertCaseStudy, insertTenant, type TestDatabase } from '@sp/dev-postgres/testing';
import type { ModelProvider } from '@sp/models';
import { type FakeLiveKit, liveKitSettings, startFakeLiveKit } from '@sp/testkit';
import { afterAll } from 'vitest';
import { type App, createApp } from '../src/app.js';
import { type ApiConfig, apiConfig, DEV_JWT_SECRET } from '../src/config.js';
import type { Caller } from '../src/http/app-context.js';
import { BackgroundWork } from '../src/http/background-work.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { signDevToken } from '../src/sign-in/dev-token.js';

export interface TestApp {
  app: App;
  db: TestDatabase;
  livekit: FakeLiveKit;
  config: ApiConfig;
  tenant: Awaited<ReturnType<typeof insertTenant>>;
  caseStudy: Awaited<ReturnType<typeof insertCaseStudy>>;
  /** Streamed replies still being stored: `await test.work.idle()` before reading them back. */
  work: BackgroundWork;
}

export async function buildTestApp(
  options: {
    env?: Record<string, string>;
    now?: () => Date;
    dbConnections?: number;
    /** The model endpoint for chat and the text-channel patient; none (offline patient) by default. */
    models?: ModelProvider;
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase({ max: options.dbConnections ?? 20 });
  const livekit = await startFakeLiveKit({ apiKey: 'test-key', apiSecret: 'test-secret-test-secret-test-secret' });
  afterAll(() => livekit.close());
  const config = apiConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...liveKitSettings(livekit),
    // Rate limits are off unless a test is about them (rate-limits.test.ts): other tests call faster than students.
    RATE_LIMIT_SESSION_STARTS: 'unlimited',
    RATE_LIMIT_TEXT_TURNS: 'unlimited',
    RATE_LIMIT_STUDY_ASSISTANT: 'unlimited',
    ...options.env,
  });
  const tenant = await insertTenant(db.db);
  const caseStudy = await insertCaseStudy(db.db, tenant.id);
  const work = new BackgroundWork();
  const app = createApp({
    db: db.db,
    config,
    livekit: liveKitRooms(config),
    work,
    ...(options.now && { now: options.now }),
    ...(options.models && { models: options.models }),
  });
  return { app, db, livekit, config, tenant, caseStudy, work };
}

/**
 * The keys of a session as the API answers it: the seed's session object
 * (initialize's `data.session`, which carries `status`), also for /end and
 * GET, where the seed's examples leave `status` out; we keep it everywhere.
 */
export const SESSION_KEYS = [
  'content_id',
  'content_type_id',
  'conversation_id',
  'created_at',
  'duration_limit',
  'elapsed_active_time',
  'end_reason',
  'end_time',
  'id',
  'is_active',
  'last_activity',
  'reconnect_count',
  'start_time',
  'status',
  'user_id',
  // Ours beyond the seed: metadata, the expiry figures, the wall-clock duration and the time accommodation.
  'duration_multiplier',
  'duration_seconds',
  'metadata',
  'reconnects_remaining',
  'remaining_active_time',
  'resume_deadline',
].sort();
export const TRANSCRIPT_ITEM_KEYS = ['content', 'role', 'sequence', 'timestamp'];

/** A bearer token the test app accepts (signed with the dev secret). */
export function tokenFor(caller: Caller, options: { expiresIn?: string | number } = {}): Promise<string> {
  return signDevToken(caller, { secret: DEV_JWT_SECRET, ...options });
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert on answer bodies field by field
export interface Answer<T = any> {
  status: number;
  body: T;
}

/** One request through `app.request()`, JSON in and out. */
export async function send(
  app: App,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

/** A student of the test tenant, with helpers for the session calls. */
export async function studentOf(test: TestApp, userId = `student-${Math.random().toString(16).slice(2, 10)}`) {
  const caller: Caller = { userId, tenantId: test.tenant.id, role: 'student' };
  const token = await tokenFor(caller);
  return {
    caller,
    token,
    initialize: (json: { content_id?: unknown; session_id?: unknown; [field: string]: unknown }) =>
      send(test.app, 'POST', '/v1/sessions/initialize', { token, json }),
    end: (sessionId: string) => send(test.app, 'POST', `/v1/sessions/${sessionId}/end`, { token }),
    get: (path: string) => send(test.app, 'GET', path, { token }),
  };
}

/** The grading jobs enqueued for a session. */
export async function gradingJobs(db: TestDatabase, sessionId: string) {
  return db.sql`select id from pgboss.job where name = 'grading' and data->>'sessionId' = ${sessionId}`;
}
