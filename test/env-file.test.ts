/** A `.env` at the repository root is read by every app and command; the environment wins over it. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { envFilePath, loadEnvFile } from '@sp/runtime';
import { verify } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const database = await createTestDatabase({ empty: true, max: 1 });
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sp-env-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function envFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A repository command as a user runs it (tsx on the script), with ENV_FILE in place of the root .env. */
function command(script: string, args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _, JWT_SECRET: __, NODE_ENV: ___, ...inherited } = process.env;
  return run(join(root, 'node_modules/.bin/tsx'), [script, ...args], { cwd: root, env: { ...inherited, ...env } });
}

describe('loadEnvFile', () => {
  it('reads the repository root .env unless ENV_FILE names another file (or none)', () => {
    expect(envFilePath({})).toBe(join(root, '.env'));
    expect(envFilePath({ ENV_FILE: '/etc/sp.env' })).toBe('/etc/sp.env');
    expect(envFilePath({ ENV_FILE: '' })).toBeNull();
  });

  it('sets what the environment lacks, keeps what it has, and understands comments and quotes', async () => {
    const path = await envFile(
      'parse.env',
      '# a comment\nPORT=9090\nLOG_LEVEL=debug\nJWT_ISSUER="https://idp.example/ # not a comment"\nEMPTY=\n',
    );
    const env: NodeJS.ProcessEnv = { ENV_FILE: path, PORT: '7070', EMPTY: 'kept' };

    expect(loadEnvFile(env).sort()).toEqual(['JWT_ISSUER', 'LOG_LEVEL']);
    expect(env).toEqual({
      ENV_FILE: path,
      PORT: '7070',
      EMPTY: 'kept',
      LOG_LEVEL: 'debug',
      JWT_ISSUER: 'https://idp.example/ # not a comment',
    });
  });

  it('stops a command with one line when the file ENV_FILE names is missing', async () => {
    const failed = await command('packages/db/src/cli/sql.ts', ['select 1'], {
      ENV_FILE: join(dir, 'absent.env'),
    }).catch((error) => error);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toContain(`configuration error: ENV_FILE: cannot read ${join(dir, 'absent.env')}`);
  });
});

describe('the commands', { timeout: 60_000 }, () => {
  it('dev-token signs with the JWT_SECRET of .env, and the environment wins over it', async () => {
    const fromFile = 'a-secret-from-the-env-file-at-least-32-chars';
    const fromEnv = 'a-secret-from-the-environment-at-least-32-c';
    const path = await envFile('token.env', `JWT_SECRET=${fromFile}\n`);

    const byFile = (await command('apps/api/src/cli/token.ts', [], { ENV_FILE: path })).stdout.trim();
    await expect(verify(byFile, fromFile, 'HS256')).resolves.toBeTruthy();

    const byEnv = (
      await command('apps/api/src/cli/token.ts', [], { ENV_FILE: path, JWT_SECRET: fromEnv })
    ).stdout.trim();
    await expect(verify(byEnv, fromEnv, 'HS256')).resolves.toBeTruthy();
    await expect(verify(byEnv, fromFile, 'HS256')).rejects.toThrow();
  });

  it('the db commands take DATABASE_URL from .env', async () => {
    await database.sql`create table marker (label text)`;
    await database.sql`insert into marker values ('from the .env database')`;
    const path = await envFile('db.env', `DATABASE_URL=${database.url}\n`);

    const { stdout } = await command('packages/db/src/cli/sql.ts', ['select label from marker'], { ENV_FILE: path });
    expect(stdout).toContain('from the .env database');
  });
});
