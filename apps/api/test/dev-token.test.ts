import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEMO_TENANT } from '@sp/db';
import { describe, expect, it } from 'vitest';
import { tokenVerifier } from '../src/auth.js';
import { apiConfig } from '../src/config.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function tokenCommand(args: string[], env: Record<string, string> = {}) {
  const { NODE_ENV: _, JWT_SECRET: __, ...inherited } = process.env;
  return spawnSync(process.execPath, ['--import', 'tsx', 'apps/api/src/cli/token.ts', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('pnpm token', () => {
  it("prints a token the API accepts, for the demo tenant's user of the role", async () => {
    const result = tokenCommand(['--role', 'instructor']);

    expect(result.status).toBe(0);
    const caller = await tokenVerifier(apiConfig())(result.stdout.trim());
    expect(caller).toEqual({ userId: 'demo-instructor', tenantId: DEMO_TENANT.id, role: 'instructor' });
  });

  it('refuses to run with NODE_ENV=production', () => {
    const result = tokenCommand(['--role', 'admin'], { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('development only');
  });
});
