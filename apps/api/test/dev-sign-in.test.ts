import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_TENANT, seedDemo } from '@sp/db';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenVerifier } from '../src/http/auth.js';
import { buildTestApp, send } from './support.js';

const webDist = await mkdtemp(join(tmpdir(), 'sp-web-dist-'));
afterAll(() => rm(webDist, { recursive: true, force: true }));
await mkdir(join(webDist, 'assets'));
await writeFile(join(webDist, 'index.html'), '<!doctype html><title>web app</title>');
await writeFile(join(webDist, 'assets', 'app-1234.js'), 'console.log("app")');

const dev = await buildTestApp({ env: { WEB_DIST_DIR: webDist } });
await seedDemo(dev.db.db);
const production = await buildTestApp({
  env: {
    NODE_ENV: 'production',
    JWT_SECRET: 'p'.repeat(40),
    LIVEKIT_API_KEY: 'prod-key',
    LIVEKIT_API_SECRET: 'prod-secret-prod-secret-prod-secret',
    WEB_DIST_DIR: webDist,
  },
});
await seedDemo(production.db.db);

describe('the development sign-in', () => {
  it("lists the demo tenant's student, instructor and admin", async () => {
    const answer = await send(dev.app, 'GET', '/dev/sign-in');

    expect(answer.status).toBe(200);
    expect(answer.body.data.tenant).toEqual({ id: DEMO_TENANT.id, name: DEMO_TENANT.name });
    expect(answer.body.data.users.map((u: { id: string; role: string }) => [u.id, u.role]).sort()).toEqual([
      ['demo-admin', 'admin'],
      ['demo-instructor', 'instructor'],
      ['demo-student', 'student'],
    ]);
  });

  it('mints a token for the chosen demo user that the API accepts', async () => {
    const answer = await send(dev.app, 'POST', '/dev/sign-in', { json: { user_id: 'demo-student' } });

    expect(answer.status).toBe(200);
    expect(answer.body.data.user).toMatchObject({ id: 'demo-student', role: 'student' });
    const { token } = answer.body.data;
    expect(await tokenVerifier(dev.config)(token)).toEqual({
      userId: 'demo-student',
      tenantId: DEMO_TENANT.id,
      role: 'student',
    });
    expect((await send(dev.app, 'GET', '/v1/sessions', { token })).status).toBe(200);
  });

  it('refuses a user outside the demo tenant with 404 and a missing user_id with 422', async () => {
    const stranger = await send(dev.app, 'POST', '/dev/sign-in', { json: { user_id: 'someone-else' } });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('NOT_FOUND');

    const empty = await send(dev.app, 'POST', '/dev/sign-in', { json: {} });
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('does not exist in production', async () => {
    const list = await send(production.app, 'GET', '/dev/sign-in');
    expect(list.status).toBe(404);
    expect(JSON.stringify(list.body)).not.toContain('demo-student');

    const signIn = await send(production.app, 'POST', '/dev/sign-in', { json: { user_id: 'demo-student' } });
    expect(signIn.status).toBe(404);
    expect(JSON.stringify(signIn.body)).not.toContain('token');
  });
});

describe('the web app served at /', () => {
  const page = (path: string) => production.app.request(path, { headers: { accept: 'text/html' } });

  it('serves index.html at / and at the pages the app routes itself', async () => {
    for (const path of ['/', '/sessions/123/report', '/cases']) {
      const res = await page(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<title>web app</title>');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('serves the hashed assets with a long cache, and 404 for a missing file', async () => {
    const asset = await production.app.request('/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(await asset.text()).toContain('console.log');
    expect(asset.headers.get('cache-control')).toContain('immutable');

    const missing = await production.app.request('/assets/missing.js');
    expect(missing.status).toBe(404);
  });

  it('never answers an API path with the page', async () => {
    const unknownApi = await page('/v1/nothing-here');
    expect(unknownApi.status).toBe(401);
    expect(await unknownApi.json()).toMatchObject({ success: false });

    const devRoute = await page('/dev/sign-in');
    expect(devRoute.status).toBe(404);
    expect(await devRoute.text()).not.toContain('<title>web app</title>');
  });
});

describe('GET /auth/config', () => {
  it('tells the web app which sign-in methods exist, without a token', async () => {
    expect((await send(dev.app, 'GET', '/auth/config')).body).toEqual({ dev_sign_in: true, oidc: null });
    expect((await send(production.app, 'GET', '/auth/config')).body).toEqual({ dev_sign_in: false, oidc: null });
  });

  it('names the OpenID Connect provider, client, scope and role claim when configured', async () => {
    const oidc = await buildTestApp({
      env: {
        OIDC_ISSUER: 'https://idp.example',
        OIDC_CLIENT_ID: 'web-app',
        OIDC_SCOPE: 'openid profile school',
        JWT_ROLE_CLAIM: 'https://sp.example/role',
      },
    });
    expect((await send(oidc.app, 'GET', '/auth/config')).body).toEqual({
      dev_sign_in: true,
      oidc: {
        issuer: 'https://idp.example',
        client_id: 'web-app',
        scope: 'openid profile school',
        role_claim: 'https://sp.example/role',
      },
    });
  });
});

describe('claim names', () => {
  it('reads the tenant and role from JWT_TENANT_CLAIM and JWT_ROLE_CLAIM, and the dev sign-in writes them there', async () => {
    const custom = await buildTestApp({
      env: { JWT_TENANT_CLAIM: 'https://sp.example/tenant', JWT_ROLE_CLAIM: 'https://sp.example/role' },
    });
    await seedDemo(custom.db.db);
    const signedIn = await send(custom.app, 'POST', '/dev/sign-in', { json: { user_id: 'demo-instructor' } });
    const { token } = signedIn.body.data;
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({
      'https://sp.example/tenant': DEMO_TENANT.id,
      'https://sp.example/role': 'instructor',
    });
    expect(payload.tenant_id).toBeUndefined();
    expect(await tokenVerifier(custom.config)(token)).toEqual({
      userId: 'demo-instructor',
      tenantId: DEMO_TENANT.id,
      role: 'instructor',
    });
    // A token with the claims under the default names is refused here.
    const usual = await send(dev.app, 'POST', '/dev/sign-in', { json: { user_id: 'demo-student' } });
    await expect(tokenVerifier(custom.config)(usual.body.data.token)).rejects.toThrow();
  });
});
