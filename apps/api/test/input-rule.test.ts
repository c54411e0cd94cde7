/**
 * The input rule for text (no NUL, well-formed Unicode), date filters and
 * token claims, fuzzed over every endpoint that takes them: each bad input is
 * refused with 422 (401 for a token) before any database call, and never
 * counted on a quota.
 */
import { chatUsage, connect, sessionMessages } from '@sp/db';
import { modelConfig, modelProvider } from '@sp/models';
import { startOpenAIServer } from '@sp/testkit';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const model = await startOpenAIServer();
afterAll(() => model.close());
model.onChat(() => ({ content: 'An answer.' }));
const models = modelProvider(modelConfig({ OPENAI_BASE_URL: model.baseURL }));
const test = await buildTestApp({ models, env: { CHAT_DAILY_QUOTA: '5' } });
const student = await studentOf(test);
const instructor = await tokenFor({ userId: 'teacher', tenantId: test.tenant.id, role: 'instructor' });
const started = await send(test.app, 'POST', '/v1/sessions/initialize', {
  token: student.token,
  json: { content_id: test.caseStudy.id, channel: 'text' },
});
const sessionId: string = started.body.data.session.id;

/**
 * The same app on a pool of its own that the test closes once the tenant is
 * known: any database call then fails, so an answer other than 500 proves the
 * request never reached the database.
 */
const own = connect(test.db.url, { max: 2 });
const cut = createApp({ db: own.db, config: test.config, livekit: liveKitRooms(test.config), models });
expect((await send(cut, 'GET', '/v1/case-studies', { token: student.token })).status).toBe(200);
expect((await send(cut, 'GET', '/v1/case-studies', { token: instructor })).status).toBe(200);
await own.close();

const BAD_TEXT: [string, string][] = [
  ['a NUL', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00'],
];

const bodies = (text: string): [string, string, unknown, string][] => [
  ['POST', `/v1/sessions/${sessionId}/messages`, { body: text }, 'body'],
  ['POST', '/v1/mind/chat', { body: text }, 'body'],
  ['POST', '/v1/mind/chat', { body: 'Hello', context: { page: { title: text } } }, 'context.page.title'],
  ['POST', '/v1/mind/chat', { body: 'Hello', context: { conversation_id: text } }, 'context.conversation_id'],
  ['POST', '/v1/sessions/initialize', { content_id: test.caseStudy.id, [text]: 1 }, text],
];

const queries = (text: string): [string, string, string][] => [
  ['GET', `/v1/admin/reports?user_id=${encodeURIComponent(text)}`, 'user_id'],
  ['GET', `/v1/admin/reports?status=${encodeURIComponent(text)}`, 'status'],
  ['GET', `/v1/sessions?content_id=${encodeURIComponent(text)}`, 'content_id'],
  ['GET', `/v1/sessions/${sessionId}/report?timeout_seconds=${encodeURIComponent(text)}`, 'timeout_seconds'],
];

describe('the input rule for text', () => {
  it('answers 422 VALIDATION_ERROR naming the field for NUL or a lone surrogate in any JSON body, without a database call', async () => {
    for (const [label, text] of BAD_TEXT) {
      for (const [method, path, json, field] of bodies(text)) {
        const token = path.startsWith('/v1/admin') ? instructor : student.token;
        const { status, body } = await send(cut, method, path, { token, json });
        expect(status, `${label} in ${path} ${field}`).toBe(422);
        expect(body.error.code).toBe('VALIDATION_ERROR');
        expect(body.error.details.fields[0]).toMatchObject({ field, in: 'body' });
      }
    }
  });

  it('answers 422 for NUL or a lone surrogate in any query value, without a database call', async () => {
    for (const [label, text] of BAD_TEXT.slice(0, 1)) {
      for (const [method, path, field] of queries(text)) {
        const token = path.startsWith('/v1/admin') ? instructor : student.token;
        const { status, body } = await send(cut, method, path, { token });
        expect(status, `${label} in ${path}`).toBe(422);
        expect(body.error.details.fields[0]).toMatchObject({ field, in: 'query' });
      }
    }
  });

  it('answers 422 for a body whose bytes are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"body":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
    const res = await cut.request(`/v1/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
      body: bytes,
    });
    expect(res.status).toBe(422);
  });

  it('never counts a refused study-assistant turn on the quota, and stores nothing', async () => {
    const token = await tokenFor({ userId: 'quota-student', tenantId: test.tenant.id, role: 'student' });
    for (const json of [{ body: 'a\u0000b' }, { body: 'Hi', context: { channel: 'x\u0000' } }]) {
      expect((await send(test.app, 'POST', '/v1/mind/chat', { token, json })).status).toBe(422);
    }
    expect(await test.db.db.select().from(chatUsage)).toEqual([]);
    const turns = await test.db.db.select().from(sessionMessages);
    expect(turns).toEqual([]);
  });

  it('still takes well-formed text with emoji and other scripts', async () => {
    const { status } = await send(test.app, 'POST', `/v1/sessions/${sessionId}/messages`, {
      token: student.token,
      json: { body: 'Hello 👋 — مرحبا — 你好' },
    });
    expect(status).toBe(200);
  });
});

describe('date filters', () => {
  it('answers 422 for from/to outside 1970-01-01 .. 9999-12-31, without a database call', async () => {
    for (const query of [
      'from=0000-01-01',
      'to=0000-01-01',
      'from=1969-12-31',
      'to=9999-12-31T23:00:00-05:00',
      'from=0001-01-01T00:00:00Z',
    ]) {
      const { status, body } = await send(cut, 'GET', `/v1/admin/reports?${query}`, { token: instructor });
      expect(status, query).toBe(422);
      expect(body.error.details.fields[0].field).toBe(query.slice(0, query.indexOf('=')));
    }
  });

  it('accepts the ends of the range', async () => {
    const { status } = await send(test.app, 'GET', '/v1/admin/reports?from=1970-01-01&to=9999-12-30', {
      token: instructor,
    });
    expect(status).toBe(200);
  });
});

describe('token claims', () => {
  const secret = new TextEncoder().encode(test.config.JWT_SECRET);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, sub = 'u-claims') => {
    const jwt = new SignJWT({ tenant_id: test.tenant.id, role: 'student', ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub);
    return jwt.sign(secret);
  };

  it('answers 401 for a token without exp, one living past JWT_MAX_LIFETIME_SECONDS, or one issued in the future', async () => {
    const cases: [string, Promise<string>][] = [
      ['no exp', sign({ iat: now })],
      ['no exp, no iat', sign({})],
      ['iat ten years ahead', sign({ iat: now + 10 * 365 * 86400, exp: now + 10 * 365 * 86400 + 60 })],
      ['iat ten minutes ahead', sign({ iat: now + 600, exp: now + 3600 })],
      ['a 25-hour lifetime', sign({ iat: now, exp: now + 25 * 3600 })],
      ['a 25-hour lifetime, no iat', sign({ exp: now + 25 * 3600 })],
      ['issued long ago, still valid', sign({ iat: now - 30 * 86400, exp: now + 3600 })],
    ];
    for (const [label, token] of cases) {
      const { status, body } = await send(cut, 'GET', '/v1/sessions', { token: await token });
      expect(status, label).toBe(401);
      expect(body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('accepts a 24-hour token and an iat a few seconds ahead (clock skew)', async () => {
    for (const token of [sign({ iat: now, exp: now + 24 * 3600 }), sign({ iat: now + 5, exp: now + 3600 })]) {
      expect((await send(test.app, 'GET', '/v1/sessions', { token: await token })).status).toBe(200);
    }
  });

  it('honours a configured JWT_MAX_LIFETIME_SECONDS', async () => {
    const strict = await buildTestApp({ env: { JWT_MAX_LIFETIME_SECONDS: '600' } });
    const token = (ttl: number) =>
      tokenFor({ userId: 'u', tenantId: strict.tenant.id, role: 'student' }, { expiresIn: ttl + now });
    expect((await send(strict.app, 'GET', '/v1/sessions', { token: await token(600) })).status).toBe(200);
    expect((await send(strict.app, 'GET', '/v1/sessions', { token: await token(900) })).status).toBe(401);
  });

  it('answers 401 on every endpoint for a sub with NUL or a lone surrogate, without a database call', async () => {
    for (const sub of ['a\u0000b', 'a\ud800']) {
      const token = await sign({ iat: now, exp: now + 3600 }, sub);
      for (const [method, path] of ROUTES) {
        const { status } = await send(cut, method, path, { token, ...(method === 'POST' && { json: {} }) });
        expect(status, `${path} ${JSON.stringify(sub)}`).toBe(401);
      }
    }
  });
});

const ROUTES: [string, string][] = [
  ['POST', '/v1/sessions/initialize'],
  ['GET', '/v1/sessions'],
  ['GET', `/v1/sessions/${sessionId}`],
  ['POST', `/v1/sessions/${sessionId}/end`],
  ['GET', `/v1/sessions/${sessionId}/report`],
  ['POST', `/v1/sessions/${sessionId}/messages`],
  ['GET', '/v1/case-studies'],
  ['GET', `/v1/case-studies/${test.caseStudy.id}`],
  ['POST', '/v1/mind/chat'],
  ['GET', '/v1/admin/reports'],
  ['POST', `/v1/admin/sessions/${sessionId}/regrade`],
];

describe('a token for a tenant this platform does not know', () => {
  it('answers 403 FORBIDDEN naming the tenant on every route, and creates nothing', async () => {
    const tenantId = '00000000-0000-4000-8000-00000000abcd';
    for (const role of ['student', 'admin'] as const) {
      const token = await tokenFor({ userId: 'stranger', tenantId, role });
      for (const [method, path] of ROUTES) {
        const json = method === 'POST' ? { body: 'Hello' } : undefined;
        const { status, body } = await send(test.app, method, path, { token, json });
        expect(status, `${role} ${method} ${path}`).toBe(403);
        expect(body.error).toEqual({ code: 'FORBIDDEN', details: { tenant_id: tenantId } });
      }
    }
    expect(await test.db.db.select().from(chatUsage)).toEqual([]);
  });
});
