/**
 * A checkout wherever it lies: a copy of this working tree in a mode-700 folder (as root, the
 * `postgres` user that runs the server cannot enter it, like /root), and two checkouts side by side.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, PROGRAM_CACHE_ROOT, temporaryDataRoot } from '@sp/dev-postgres';
import { processAlive } from '@sp/dev-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

let home: string;
let checkout: string;
let idleApp: string;
const cleanup: (() => Promise<unknown>)[] = [];

/** This working tree (tracked and new files, not ignored ones), its node_modules hard-linked. */
async function copyCheckout(to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const exists = await stat(join(root, file)).catch(() => null);
    if (!exists?.isFile()) continue;
    await mkdir(dirname(join(to, file)), { recursive: true });
    await cp(join(root, file), join(to, file));
  }
  const withModules = ['.', ...(await workspaceFolders())];
  for (const folder of withModules) {
    const modules = join(root, folder, 'node_modules');
    if (await stat(modules).catch(() => null)) await run('cp', ['-al', modules, join(to, folder, 'node_modules')]);
  }
}

async function workspaceFolders(): Promise<string[]> {
  const folders: string[] = [];
  for (const parent of ['apps', 'packages'])
    for (const name of await readdir(join(root, parent))) folders.push(join(parent, name));
  return folders;
}

/** What a start left in a temp folder, besides tsx's own compile cache (kept on purpose). */
const leftIn = async (dir: string) => (await readdir(dir)).filter((name) => !/^tsx-\d+$/.test(name));

/** A temp folder of the command's own (TMPDIR), to see what a start leaves behind in it. */
async function privateTmp(): Promise<string> {
  const dir = await temporaryDataRoot('sp-tmpdir-');
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function commandIn(folder: string, script: string, args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _, EMBEDDED_POSTGRES_DIR: __, ...inherited } = process.env;
  return run(join(folder, 'node_modules/.bin/tsx'), [script, ...args], {
    cwd: folder,
    env: { ...inherited, ...env },
  });
}

/** `pnpm dev` (the script it execs) in `folder`, running one idle app, until it says the database is ready. */
async function launcherIn(
  folder: string,
  env: Record<string, string>,
): Promise<{ launcher: ChildProcess; output: () => string; exited: Promise<unknown[]> }> {
  const { DATABASE_URL: _, EMBEDDED_POSTGRES_DIR: __, ...inherited } = process.env;
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', idleApp], {
    cwd: folder,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, ...env },
  });
  let output = '';
  launcher.stdout?.on('data', (chunk) => (output += chunk));
  launcher.stderr?.on('data', (chunk) => (output += chunk));
  const exited = once(launcher, 'close');
  await Promise.race([
    (async () => {
      while (!output.includes('idle-app ready')) await sleep(100);
    })(),
    exited.then(([code, signal]) => {
      throw new Error(`the launcher exited (${signal ?? code}) before its app was ready:\n${output}`);
    }),
  ]);
  return { launcher, output: () => output, exited };
}

async function serverDataDirectory(port: number): Promise<string> {
  const { stdout } = await commandIn(
    root,
    'packages/db/src/cli/sql.ts',
    ["select current_setting('data_directory') as dir"],
    {
      EMBEDDED_POSTGRES_PORT: String(port),
      EMBEDDED_POSTGRES_DIR: '/nonexistent-never-started',
    },
  ).catch((error) => ({ stdout: String(error.stderr) }));
  return stdout;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sp-home-')); // mode 700, like /root
  cleanup.push(() => rm(home, { recursive: true, force: true }));
  checkout = join(home, 'standardized-patient');
  await copyCheckout(checkout);
  idleApp = join(home, 'idle-app.mjs');
  await writeFile(
    idleApp,
    "console.log('idle-app ready'); setInterval(() => {}, 1000); for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));\n",
  );
}, 240_000);
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
});

describe('a checkout in a mode-700 folder', { timeout: 120_000 }, () => {
  it.runIf(asRoot)(
    'as root, a db command starts the embedded server from there: programs from the root-owned cache, data in a folder of its own',
    async () => {
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      const tmp = await privateTmp();
      const port = await freePort();
      const id = createHash('sha256').update(checkout).digest('hex').slice(0, 12);
      const dataDir = join(PROGRAM_CACHE_ROOT, 'data', id, 'postgres');
      cleanup.push(() => rm(dirname(dataDir), { recursive: true, force: true }));

      const { stdout, stderr } = await commandIn(
        checkout,
        'packages/db/src/cli/sql.ts',
        ["select current_setting('data_directory') as dir"],
        { EMBEDDED_POSTGRES_PORT: String(port), TMPDIR: tmp },
      );

      expect(stderr).toContain(`this checkout is out of reach of the "postgres" user`);
      expect(stdout).toContain(` ${dataDir}\n`);
      const programs = (await readdir(PROGRAM_CACHE_ROOT)).filter((name) => name.startsWith('postgres-'));
      expect(programs.length).toBeGreaterThan(0);
      const cache = await stat(PROGRAM_CACHE_ROOT);
      expect({ uid: cache.uid, writableByOthers: (cache.mode & 0o022) !== 0 }).toEqual({
        uid: 0,
        writableByOthers: false,
      });
      expect(await leftIn(tmp)).toEqual([]);
    },
  );

  it.runIf(asRoot)('as root, the test harness starts its throwaway server from there too', async () => {
    const tmp = await privateTmp();
    const script = [
      "import { startEmbeddedPostgres, temporaryDataRoot, freePort } from './src/embedded.ts';",
      "import postgres from 'postgres';",
      "const dir = await temporaryDataRoot('sp-test-pg-');",
      "const server = await startEmbeddedPostgres({ dataDir: dir + '/data', port: await freePort(), persistent: false, fast: true });",
      'const sql = postgres(server.url, { max: 1 });',
      'const [row] = await sql`select 1 as one`;',
      'await sql.end(); await server.stop();',
      "await (await import('node:fs/promises')).rm(dir, { recursive: true, force: true });",
      'console.log(JSON.stringify(row));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(checkout, 'packages/dev-postgres'),
      env: { ...process.env, TMPDIR: tmp },
    });
    expect(stdout.trim()).toBe('{"one":1}');
    expect(await leftIn(tmp)).toEqual([]);
  });
});

describe('two checkouts side by side', { timeout: 120_000 }, () => {
  it('each gets a server of its own; a server of another folder on the port is refused in one line', async () => {
    const port = await freePort();
    const ours = join(await temporaryDataRoot('sp-second-'), 'postgres');
    cleanup.push(() => rm(dirname(ours), { recursive: true, force: true }));
    const first = await launcherIn(checkout, { EMBEDDED_POSTGRES_PORT: String(port) });
    cleanup.push(async () => {
      if (first.launcher.exitCode === null) process.kill(-(first.launcher.pid ?? 0), 'SIGTERM');
      await first.exited;
    });
    const firstData = await serverDataDirectory(port);

    const refused = await commandIn(root, 'packages/db/src/cli/sql.ts', ['select 1'], {
      EMBEDDED_POSTGRES_PORT: String(port),
      EMBEDDED_POSTGRES_DIR: ours,
    }).catch((error) => error);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      new RegExp(
        `^port ${port} is taken by the embedded PostgreSQL of another checkout \\(data in [^)]+\\); set EMBEDDED_POSTGRES_PORT to a free port for this one$`,
      ),
    );

    const otherPort = await freePort();
    const second = await launcherIn(root, { EMBEDDED_POSTGRES_PORT: String(otherPort), EMBEDDED_POSTGRES_DIR: ours });
    const secondData = await serverDataDirectory(otherPort);
    expect(secondData).toContain(ours);
    expect(firstData).not.toContain(ours);
    expect(await serverDataDirectory(port)).toBe(firstData);

    for (const { launcher, exited } of [second, first]) {
      process.kill(-(launcher.pid ?? 0), 'SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    }
    expect(processAlive(first.launcher.pid ?? 0)).toBe(false);
  });
});
