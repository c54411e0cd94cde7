import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_TENANT, tenants } from '@sp/db';
import { describe, expect, it } from 'vitest';
import { apiConfig } from '../src/config.js';
import { tokenVerifier } from '../src/http/auth.js';
import { buildTestApp, send } from './support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Runs the command the way a developer types it: through pnpm, from the repository root. */
function pnpm(args: string[], env: Record<string, string> = {}) {
  const { NODE_ENV: _, JWT_SECRET: __, ...inherited } = process.env;
  return spawnSync('pnpm', args, {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

const test = await buildTestApp();
// The tokens are for the seeded demo tenant; the API refuses a tenant it does not know.
await test.db.db.insert(tenants).values(DEMO_TENANT);

describe('pnpm dev-token', { timeout: 60_000 }, () => {
  it('runs as the issue spells it (`pnpm dev-token --role student`), not as npm token', () => {
    const result = pnpm(['dev-token', '--role', 'student']);

    expect(result.status, result.stderr).toBe(0);
    const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
    expect(lastLine).toMatch(JWT);
  });

  it('prints only the token with -s, and the API accepts it', async () => {
    const result = pnpm(['-s', 'dev-token', '--role', 'student']);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = result.stdout.trim();
    const answer = await send(test.app, 'GET', '/v1/sessions', { token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, data: [], total: 0 });
    expect(await tokenVerifier(apiConfig())(token)).toEqual({
      userId: 'demo-student',
      tenantId: DEMO_TENANT.id,
      role: 'student',
    });
  });

  it("mints for the demo tenant's user of the requested role", async () => {
    const result = pnpm(['-s', 'dev-token', '--role', 'instructor']);

    expect(result.status, result.stderr).toBe(0);
    expect(await tokenVerifier(apiConfig())(result.stdout.trim())).toEqual({
      userId: 'demo-instructor',
      tenantId: DEMO_TENANT.id,
      role: 'instructor',
    });
  });

  it('refuses to run with NODE_ENV=production', () => {
    const result = pnpm(['-s', 'dev-token', '--role', 'admin'], {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
    });

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('development only');
  });

  it('explains its own spelling in --help, and rejects an unknown option in one line', () => {
    const help = pnpm(['-s', 'dev-token', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('pnpm -s dev-token --role student');
    expect(help.stdout).toContain('`pnpm token` is npm');

    const bad = pnpm(['-s', 'dev-token', '--rol', 'student']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringContaining("Unknown option '--rol'")]);
  });
});
