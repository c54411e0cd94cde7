/**
 * OpenID Connect sign-in end to end, in Chromium: a real local provider
 * (oidc-provider, authorization code with PKCE), the API verifying its ID
 * tokens through JWKS_URL with the tenant and role under custom claim names.
 * Sign in, call the API, sign out; an expired token leads back through the
 * provider to the page the student was on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_TENANT } from '@sp/db';
import Provider from 'oidc-provider';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPage } from './page-checks.js';
import { launchBrowser, newContext, startStack } from './stack.js';

/** Short on purpose: the expiry is part of the test. */
const ID_TOKEN_SECONDS = 8;
const TENANT_CLAIM = 'https://sp.example/tenant';
const ROLE_CLAIM = 'https://sp.example/role';

// The provider's address must be known before the API starts, and the API's before the provider's client.
let handle: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.writeHead(503).end();
const idp = createServer((req, res) => handle(req, res));
await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise((resolve) => idp.close(resolve)));
const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;

const stack = await startStack({
  env: {
    JWKS_URL: `${issuer}/jwks`,
    JWT_ISSUER: issuer,
    JWT_AUDIENCE: 'web-app',
    JWT_TENANT_CLAIM: TENANT_CLAIM,
    JWT_ROLE_CLAIM: ROLE_CLAIM,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'web-app',
    OIDC_SCOPE: 'openid profile school',
  },
});
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'web-app',
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${stack.url}/auth/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], profile: ['name'], school: [TENANT_CLAIM, ROLE_CLAIM] },
  conformIdTokenClaims: false,
  findAccount: (_ctx: unknown, id: string) => ({
    accountId: id,
    claims: () => ({ sub: id, name: 'Sam Student', [TENANT_CLAIM]: DEMO_TENANT.id, [ROLE_CLAIM]: 'student' }),
  }),
  ttl: { IdToken: ID_TOKEN_SECONDS, AccessToken: ID_TOKEN_SECONDS },
  clientBasedCORS: (_ctx: unknown, origin: string) => origin === stack.url,
  cookies: { keys: ['oidc-test-cookie-key'] },
  features: { devInteractions: { enabled: true } },
});
handle = provider.callback();
const browser = await launchBrowser();

describe('OpenID Connect sign-in', () => {
  it('signs in with code + PKCE, calls the API, signs out, and comes back to the same page after the token expires', async () => {
    const context = await newContext(browser, stack);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in with your institution' }).click();

    // The provider's own (development) login and consent pages.
    await page.waitForURL(`${issuer}/**`);
    expect(new URL(page.url()).origin).toBe(issuer);
    await page.locator('input[name=login]').fill('oidc-student-1');
    await page.locator('input[name=password]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await page.getByRole('heading', { name: stack.seeded.caseStudies[0]!.title }).waitFor();
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('sp.sign-in') ?? '{}').token as string);
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({
      iss: issuer,
      aud: 'web-app',
      sub: 'oidc-student-1',
      [ROLE_CLAIM]: 'student',
    });
    expect(page.url()).not.toContain(token);
    await checkPage(page, 'cases after OpenID Connect sign-in');

    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('sp.sign-in'))).toBeNull();

    // Back in (the provider remembers the login and the consent), onto My sessions, then past the token's life.
    await page.getByRole('button', { name: 'Sign in with your institution' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await page.getByRole('link', { name: 'My sessions' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await page.waitForTimeout((ID_TOKEN_SECONDS + 1) * 1000);
    await page.reload();
    // The API refuses the expired token: the sign-in page, then the provider, then the same page again.
    await page.getByRole('button', { name: 'Sign in with your institution' }).click();
    await page.waitForURL(`${stack.url}/sessions`);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await context.close();
  });
});
