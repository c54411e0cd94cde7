/**
 * The edges every answer shares: CORS for the origins CORS_ORIGINS lists (and
 * nothing for others), the security headers on JSON, event-stream, static and
 * reference-page answers, the typed turns' tighter body limits, and a client's
 * request id kept only when it is short and plain.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MESSAGE_BODY_MAX } from '@sp/core';
import { collectEventStream } from '@sp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { TEXT_TURN_MAX_BODY_BYTES } from '../src/app.js';
import { buildTestApp, send, studentOf } from './support.js';

const PORTAL = 'https://portal.example.edu';
const webDist = await mkdtemp(join(tmpdir(), 'sp-edges-web-'));
afterAll(() => rm(webDist, { recursive: true, force: true }));
await writeFile(join(webDist, 'index.html'), '<!doctype html><title>app</title>');
await mkdir(join(webDist, 'assets'));
await writeFile(join(webDist, 'assets', 'app-1234.js'), 'console.log(1)');

const test = await buildTestApp({ env: { CORS_ORIGINS: `${PORTAL}, http://localhost:5173`, WEB_DIST_DIR: webDist } });
const closed = await buildTestApp();
const student = await studentOf(test);

function preflight(app: typeof test.app, origin: string, headers = 'authorization,content-type') {
  return app.request('/v1/sessions', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': headers },
  });
}

describe('CORS', () => {
  it('answers a preflight from a listed origin with that origin, the methods and headers, no credentials, and a cache age', async () => {
    const res = await preflight(test.app, PORTAL);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('last-event-id');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('grants nothing to an origin it does not list, nor to any origin by default', async () => {
    for (const [app, origin] of [
      [test.app, 'https://evil.example.com'],
      [test.app, 'https://portal.example.edu.evil.com'],
      [closed.app, PORTAL],
    ] as const) {
      const res = await preflight(app, origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it('lets a listed origin read an answer and its exposed headers, and no other origin', async () => {
    const allowed = await test.app.request('/v1/sessions', {
      headers: { origin: PORTAL, authorization: `Bearer ${student.token}` },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(allowed.headers.get('access-control-expose-headers')).toBe('Retry-After,X-Request-Id');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const refused = await test.app.request('/v1/sessions', {
      headers: { origin: 'https://evil.example.com', authorization: `Bearer ${student.token}` },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to start with an entry that is not an origin', async () => {
    const { apiConfig } = await import('../src/config.js');
    expect(() => apiConfig({ CORS_ORIGINS: 'https://portal.example.edu/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => apiConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(apiConfig({}).CORS_ORIGINS).toEqual([]);
  });
});

const SECURE = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
};

function expectSecure(res: Response) {
  for (const [name, value] of Object.entries(SECURE)) expect(res.headers.get(name), name).toBe(value);
  expect(res.headers.get('permissions-policy')).toContain('microphone=(self)');
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
}

describe('security headers', () => {
  it('are on JSON answers, with a policy that loads nothing', async () => {
    const res = await test.app.request('/v1/sessions', { headers: { authorization: `Bearer ${student.token}` } });
    expectSecure(res);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expectSecure(await test.app.request('/v1/sessions'));
    expectSecure(await test.app.request('/openapi.json'));
  });

  it('are on an event stream', async () => {
    const init = await send(test.app, 'POST', '/v1/sessions/initialize', {
      token: student.token,
      json: { content_id: test.caseStudy.id, channel: 'text' },
    });
    const res = await test.app.request(`/v1/sessions/${init.body.data.session.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Hello, what brings you in today?' }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expectSecure(res);
    await collectEventStream(res);
    await test.work.idle();
  });

  it("are on the web app's files and pages, with a policy for its own scripts and LiveKit", async () => {
    for (const path of ['/', '/assets/app-1234.js', '/sessions/abc/report']) {
      const res = await test.app.request(path, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(200);
      expectSecure(res);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain(`connect-src 'self' ${test.config.LIVEKIT_URL.replace(/\/$/, '')}`);
    }
  });

  it('are on the reference page, whose inline boot script is allowed by its hash alone', async () => {
    const res = await test.app.request('/docs');
    expectSecure(res);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src ')) ?? '';
    expect(scriptSrc).toMatch(/'sha256-[A-Za-z0-9+/]+=*'/);
    expect(scriptSrc).not.toContain('unsafe-inline');
  });
});

describe('request bodies', () => {
  it('bounds a text turn far below the general limit, yet takes the longest turn its contract allows', async () => {
    expect(TEXT_TURN_MAX_BODY_BYTES).toBeLessThan(test.config.MAX_BODY_BYTES / 2);
    const typist = await studentOf(test);
    const init = await send(test.app, 'POST', '/v1/sessions/initialize', {
      token: typist.token,
      json: { content_id: test.caseStudy.id, channel: 'text' },
    });
    const id = init.body.data.session.id;
    const over = await send(test.app, 'POST', `/v1/sessions/${id}/messages`, {
      token: typist.token,
      body: JSON.stringify({ body: 'a'.repeat(TEXT_TURN_MAX_BODY_BYTES) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // The longest turn of three-byte characters still fits.
    const longest = await test.app.request(`/v1/sessions/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${typist.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: '病'.repeat(MESSAGE_BODY_MAX) }),
    });
    expect(longest.status).toBe(200);
    await collectEventStream(longest);
    await test.work.idle();
  });
});

describe('request id', () => {
  it('keeps a short plain id the client sends and answers with it', async () => {
    const res = await test.app.request('/healthz', { headers: { 'x-request-id': 'portal-42_abc' } });
    expect(res.headers.get('x-request-id')).toBe('portal-42_abc');
  });

  it('replaces an id that is too long or carries other characters', async () => {
    for (const sent of ['x'.repeat(65), 'abc def', 'a\u00e9b', 'a";drop']) {
      const res = await test.app.request('/healthz', { headers: { 'x-request-id': sent } });
      const got = res.headers.get('x-request-id') ?? '';
      expect(got).not.toBe(sent);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
