import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres, temporaryDataRoot, withDatabase } from '../src/embedded.js';
import { processAlive } from '../src/testing/fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/flushing-app.ts', import.meta.url));
const run = promisify(execFile);

let dir: string;
let dataDir: string;
let port: number;

beforeAll(async () => {
  dir = await temporaryDataRoot('sp-dev-launcher-');
  dataDir = join(dir, 'data');
  port = await freePort();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * `pnpm dev` on a fresh embedded server, running only the flushing app; in a group of its own, like
 * a terminal's foreground job. By default the script itself (as `pnpm dev` execs it); `viaPnpm`
 * runs it the way a user types it, so that signals can go to the pnpm process.
 */
async function startLauncher(
  database: string,
  { viaPnpm = false, env: extra = {} }: { viaPnpm?: boolean; env?: Record<string, string> } = {},
): Promise<{ launcher: ChildProcess; output: () => string }> {
  const { DATABASE_URL: _, ...env } = process.env;
  const [command, args] = viaPnpm
    ? ['pnpm', ['dev', app]]
    : [process.execPath, ['--import', 'tsx', 'scripts/dev.ts', app]];
  const launcher = spawn(command, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      EMBEDDED_POSTGRES_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(port),
      EMBEDDED_POSTGRES_DB: database,
      ...extra,
    },
  });
  let output = '';
  launcher.stdout?.on('data', (chunk) => (output += chunk));
  launcher.stderr?.on('data', (chunk) => (output += chunk));
  const exited = once(launcher, 'exit');
  await Promise.race([
    new Promise<void>((resolve) =>
      launcher.stdout?.on('data', () => output.includes('flushing-app ready') && resolve()),
    ),
    exited.then(() => {
      throw new Error(`the launcher exited before the app was ready:\n${output}`);
    }),
  ]);
  return { launcher, output: () => output };
}

/** The flushing app's pid: the launcher's child running the fixture. */
async function appPid(launcherPid: number): Promise<number> {
  const { stdout } = await run('pgrep', ['-f', '-g', String(launcherPid), 'flushing-app.ts']);
  return Number(stdout.trim().split('\n').at(-1));
}

async function postmasterPid(): Promise<number> {
  return Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

/** The app's events, read back from the (restarted) server. */
async function appEvents(database: string): Promise<string[]> {
  const server = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  const sql = postgres(withDatabase(server.url, database), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select event from app_events order by at`;
    return rows.map((r) => r.event);
  } finally {
    await sql.end();
    await server.stop();
  }
}

describe('pnpm dev (scripts/dev.ts)', () => {
  it('on SIGTERM stops the app first, the database last, and exits 0', async () => {
    const { launcher, output } = await startLauncher('dev_sigterm');
    const pid = await postmasterPid();
    expect(processAlive(pid)).toBe(true);

    const exited = once(launcher, 'exit');
    launcher.kill('SIGTERM');
    const [code, signal] = await exited;

    expect({ code, signal }, output()).toEqual({ code: 0, signal: null });
    expect(processAlive(pid)).toBe(false);
    expect(output()).not.toMatch(/ECONNREFUSED|exited \(/);
    expect(await appEvents('dev_sigterm')).toEqual(['started', 'flushed after SIGTERM']);
  });

  it('on a terminal Ctrl-C (SIGINT to the whole process group) keeps the database up until the app has flushed, and exits 0', async () => {
    const { launcher, output } = await startLauncher('dev_sigint');
    const pid = await postmasterPid();

    const exited = once(launcher, 'exit');
    process.kill(-(launcher.pid ?? 0), 'SIGINT');
    const [code, signal] = await exited;

    expect({ code, signal }, output()).toEqual({ code: 0, signal: null });
    expect(processAlive(pid)).toBe(false);
    expect(output()).not.toMatch(/ECONNREFUSED|exited \(/);
    // The app hears the Ctrl-C itself and then the launcher's SIGTERM: it flushes on the first.
    expect(await appEvents('dev_sigint')).toEqual(['started', expect.stringMatching(/^flushed after SIG(INT|TERM)$/)]);
  });

  it.each([
    ['the pnpm process', (pnpm: number): void => void process.kill(pnpm, 'SIGTERM')],
    ['the whole process group', (pnpm: number): void => void process.kill(-pnpm, 'SIGTERM')],
  ] as const)(
    'run through pnpm, SIGTERM to %s stops everything and exits 0 with no ELIFECYCLE line',
    async (_, signal) => {
      const database = `dev_pnpm_${Math.random().toString(36).slice(2, 8)}`;
      const { launcher, output } = await startLauncher(database, { viaPnpm: true });
      const pid = await postmasterPid();
      const appProcess = await appPid(launcher.pid ?? 0);
      expect(processAlive(appProcess)).toBe(true);

      const exited = once(launcher, 'exit');
      signal(launcher.pid ?? 0);
      const [code, exitSignal] = await exited;

      expect({ code, signal: exitSignal }, output()).toEqual({ code: 0, signal: null });
      expect(output()).not.toMatch(/ELIFECYCLE|Command failed/);
      expect(processAlive(pid)).toBe(false);
      expect(processAlive(appProcess)).toBe(false);
      expect(await appEvents(database)).toEqual(['started', expect.stringMatching(/^flushed after SIGTERM$/)]);
    },
  );

  it('when its PostgreSQL dies, says so in one line, stops the app and exits 1 (it never hangs)', async () => {
    const { launcher, output } = await startLauncher('dev_db_dies');
    const appProcess = await appPid(launcher.pid ?? 0);
    const exited = once(launcher, 'exit');

    process.kill(await postmasterPid(), 'SIGKILL');
    const [code] = await exited;

    expect(code, output()).toBe(1);
    const lines = output()
      .split('\n')
      .filter((line) => line.includes('exited on its own'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^\\[dev\\] embedded PostgreSQL \\(port ${port}, data in .*\\) exited on its own \\(SIGKILL\\)`),
      ),
    ]);
    expect(processAlive(appProcess)).toBe(false);
  });

  it('names PORT in one line when the API port is taken, and starts nothing', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port: apiPort } = taken.address() as AddressInfo;
    try {
      const { DATABASE_URL: _, ...env } = process.env;
      const launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', 'api'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...env,
          PORT: String(apiPort),
          EMBEDDED_POSTGRES_DIR: join(dir, 'never'),
          EMBEDDED_POSTGRES_PORT: String(port),
        },
      });
      let output = '';
      launcher.stdout?.on('data', (chunk) => (output += chunk));
      launcher.stderr?.on('data', (chunk) => (output += chunk));
      const [code] = await once(launcher, 'exit');

      expect(code).toBe(1);
      expect(output.trim()).toBe(
        `[dev] could not start: port ${apiPort} is taken by another program; set PORT to a free port`,
      );
      await expect(readFile(join(dir, 'never', 'PG_VERSION'))).rejects.toThrow();
    } finally {
      taken.close();
    }
  });
});
