import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { apiConfig } from '../src/config.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { signDevToken } from '../src/sign-in/dev-token.js';
import { buildTestApp, send, tokenFor } from './support.js';

const test = await buildTestApp();

describe('bearer authentication', () => {
  const protectedCalls: [string, string][] = [
    ['POST', '/v1/sessions/initialize'],
    ['GET', '/v1/sessions'],
    ['GET', '/v1/sessions/00000000-0000-4000-8000-000000000000'],
    ['POST', '/v1/sessions/00000000-0000-4000-8000-000000000000/end'],
    ['GET', '/v1/case-studies'],
    ['GET', '/v1/case-studies/00000000-0000-4000-8000-000000000000'],
  ];

  it('answers 401 UNAUTHORIZED on every /v1 endpoint without a token', async () => {
    for (const [method, path] of protectedCalls) {
      const { status, body } = await send(test.app, method, path);
      expect(status, `${method} ${path}`).toBe(401);
      expect(body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('answers 401 for a malformed token, a wrong signature, an expired token and a non-bearer scheme', async () => {
    const caller = { userId: 'u1', tenantId: test.tenant.id, role: 'student' as const };
    const wrongSecret = await signDevToken(caller, { secret: 'another-secret-another-secret-another' });
    const expired = await tokenFor(caller, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const answers = await Promise.all([
      send(test.app, 'GET', '/v1/sessions', { token: 'not.a.jwt' }),
      send(test.app, 'GET', '/v1/sessions', { token: wrongSecret }),
      send(test.app, 'GET', '/v1/sessions', { token: expired }),
      send(test.app, 'GET', '/v1/sessions', { headers: { authorization: `Basic ${await tokenFor(caller)}` } }),
    ]);
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual(Array(4).fill([401, 'UNAUTHORIZED']));
  });

  it('stops accepting a token the moment it expires, though its signature was checked before', async () => {
    const caller = { userId: 'u-expiring', tenantId: test.tenant.id, role: 'student' as const };
    const token = await tokenFor(caller, { expiresIn: Math.floor(Date.now() / 1000) + 1 });

    const before = await send(test.app, 'GET', '/v1/sessions', { token });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await send(test.app, 'GET', '/v1/sessions', { token });

    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('answers 401 when the token lacks a tenant, has an unknown role or a tenant that is not an id', async () => {
    const secret = new TextEncoder().encode(test.config.JWT_SECRET);
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setExpirationTime('1h').sign(secret);
    for (const claims of [
      { role: 'student' },
      { tenant_id: test.tenant.id, role: 'superuser' },
      { tenant_id: 'demo', role: 'student' },
    ]) {
      const { status } = await send(test.app, 'GET', '/v1/sessions', { token: await sign(claims) });
      expect(status, JSON.stringify(claims)).toBe(401);
    }
  });

  it('answers 401 for an unsigned token (alg none) claiming to be an admin', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'u1', tenant_id: test.tenant.id, role: 'admin' }),
    ).toString('base64url')}.`;
    const { status } = await send(test.app, 'GET', '/v1/sessions', { token: unsigned });
    expect(status).toBe(401);
  });

  it('accepts a valid token', async () => {
    const token = await tokenFor({ userId: 'u1', tenantId: test.tenant.id, role: 'student' });
    const { status } = await send(test.app, 'GET', '/v1/sessions', { token });
    expect(status).toBe(200);
  });

  it('verifies tokens against a JWKS URL and checks issuer and audience when configured', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));
    const config = apiConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      // Production refuses the livekit-server --dev credentials.
      LIVEKIT_API_KEY: test.livekit.apiKey,
      LIVEKIT_API_SECRET: test.livekit.apiSecret,
      JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'sp-api',
    });
    const app = createApp({ db: test.db.db, config, livekit: liveKitRooms(config) });
    const sign = (issuer: string) =>
      new SignJWT({ tenant_id: test.tenant.id, role: 'student' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('idp-user')
        .setIssuer(issuer)
        .setAudience('sp-api')
        .setExpirationTime('5m')
        .sign(privateKey);

    expect((await send(app, 'GET', '/v1/sessions', { token: await sign('https://idp.example') })).status).toBe(200);
    expect((await send(app, 'GET', '/v1/sessions', { token: await sign('https://evil.example') })).status).toBe(401);
    const devToken = await tokenFor({ userId: 'u1', tenantId: test.tenant.id, role: 'admin' });
    expect((await send(app, 'GET', '/v1/sessions', { token: devToken })).status).toBe(401);
  });
});

describe('public endpoints', () => {
  it('answers /healthz without a token once the database answers', async () => {
    const { status, body } = await send(test.app, 'GET', '/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI document generated from the contracts, and interactive docs', async () => {
    const { status, body } = await send(test.app, 'GET', '/openapi.json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sessions/initialize',
        '/v1/sessions/{session_id}/end',
        '/v1/sessions',
        '/v1/sessions/{session_id}',
        '/v1/case-studies',
        '/v1/case-studies/{id}',
      ]),
    );
    expect(body.components.schemas.InitializeRequest.required).toEqual(['content_id']);
    expect(Object.keys(body.components.schemas.Session.properties)).toContain('elapsed_active_time');
    expect(body.paths['/v1/sessions/initialize'].post.responses).toHaveProperty('409');
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const docs = await test.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });

  it('answers 404 NOT_FOUND in the envelope for an unknown route', async () => {
    const { status, body } = await send(test.app, 'GET', '/nope');
    expect(status).toBe(404);
    expect(body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });
});
