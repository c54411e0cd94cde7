import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres, temporaryDataRoot, withDatabase } from '../src/embedded.js';
import { processAlive } from '../src/testing/fixtures.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/flushing-app.ts', import.meta.url));

let dir: string;
let dataDir: string;
let port: number;

beforeAll(async () => {
  dir = await temporaryDataRoot('sp-dev-launcher-');
  dataDir = join(dir, 'data');
  port = await freePort();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `pnpm dev` (tsx scripts/dev.ts) on a fresh embedded server, running only the flushing app; in a group of its own, like a terminal's foreground job. */
async function startLauncher(database: string): Promise<{ launcher: ChildProcess; output: () => string }> {
  const { DATABASE_URL: _, ...env } = process.env;
  const launcher = spawn(join(root, 'node_modules/.bin/tsx'), ['scripts/dev.ts', app], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      EMBEDDED_POSTGRES_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(port),
      EMBEDDED_POSTGRES_DB: database,
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
});
