/**
 * The database for `pnpm dev` and the db:* commands: DATABASE_URL when set,
 * else this checkout's embedded PostgreSQL, whose data folder is its identity:
 * a server on the port that belongs to another folder is never used.
 */
import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { databaseAt, hasErrorCode, type OpenDatabase, SQLSTATE } from '@sp/db';
import { exitOnConfigError, loadConfig, REPO_ROOT } from '@sp/runtime';
import postgres from 'postgres';
import { type DevDatabaseConfig, devDatabaseConfigSchema } from './config.js';
import { embeddedUrl, startEmbeddedPostgres, withDatabase } from './embedded.js';
import { blockingFolder, ensureServerUser, runningAsRoot, SERVER_USER } from './embedded-data-dir.js';
import { PROGRAM_CACHE_ROOT } from './embedded-programs.js';

export async function openDatabase(config: DevDatabaseConfig, log: (line: string) => void): Promise<OpenDatabase> {
  if (config.DATABASE_URL) return databaseAt(config.DATABASE_URL);
  const port = config.EMBEDDED_POSTGRES_PORT;
  const dataDir = await embeddedDataDir(config, log);
  const running = await reachableEmbedded(port);
  if (running) {
    const theirs = await dataDirectoryOf(running);
    if (!(await sameFolder(theirs, dataDir)))
      throw new Error(
        `port ${port} is taken by the embedded PostgreSQL of another checkout (data in ${theirs}); set EMBEDDED_POSTGRES_PORT to a free port for this one`,
      );
    // Another process (`pnpm dev`) runs it: nothing of it is ours to stop.
    return { ...databaseAt(await ensureDatabase(running, config.EMBEDDED_POSTGRES_DB)), embedded: true };
  }
  if (await portTaken(port))
    throw new Error(
      `port ${port} is taken by another program (not this checkout's PostgreSQL); set EMBEDDED_POSTGRES_PORT to a free port`,
    );
  log(`DATABASE_URL is unset: starting embedded PostgreSQL on 127.0.0.1:${port} (data in ${dataDir})`);
  const server = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  try {
    const url = await ensureDatabase(server.url, config.EMBEDDED_POSTGRES_DB);
    return { url, embedded: true, unexpectedExit: server.unexpectedExit, stop: server.stop };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * EMBEDDED_POSTGRES_DIR, else the checkout's `.data/postgres`; as root, when the server's user cannot
 * reach the checkout (a mode-700 /root), a folder of this checkout's own where it can.
 */
export async function embeddedDataDir(config: DevDatabaseConfig, log: (line: string) => void): Promise<string> {
  if (config.EMBEDDED_POSTGRES_DIR) return resolve(config.EMBEDDED_POSTGRES_DIR);
  const inCheckout = join(REPO_ROOT, '.data', 'postgres');
  if (!runningAsRoot()) return inCheckout;
  if ((await blockingFolder(REPO_ROOT, await ensureServerUser())) === null) return inCheckout;
  const id = createHash('sha256').update(resolve(REPO_ROOT)).digest('hex').slice(0, 12);
  const outside = join(PROGRAM_CACHE_ROOT, 'data', id, 'postgres');
  log(
    `this checkout is out of reach of the "${SERVER_USER}" user that runs PostgreSQL as root: its data lives in ${outside} (EMBEDDED_POSTGRES_DIR chooses another folder)`,
  );
  return outside;
}

/**
 * For `@sp/db`'s `openDatabaseOrExit` when DATABASE_URL is unset: reads the embedded server's
 * settings, opens it, or stops the process with one line saying why it cannot.
 */
export async function openDevelopmentDatabaseOrExit(log: (line: string) => void): Promise<OpenDatabase> {
  const config = exitOnConfigError(() => loadConfig(devDatabaseConfigSchema));
  try {
    return await openDatabase(config, log);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

/** The embedded server another process (say `pnpm dev`) already runs on this port, if any. */
async function reachableEmbedded(port: number): Promise<string | null> {
  const url = embeddedUrl(port);
  const probe = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
  try {
    await probe`select 1`;
    return url;
  } catch {
    return null;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

async function dataDirectoryOf(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    const [row] = await sql<{ data_directory: string }[]>`select current_setting('data_directory') as data_directory`;
    return row?.data_directory ?? '';
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function sameFolder(a: string, b: string): Promise<boolean> {
  const real = (path: string) => realpath(path).catch(() => resolve(path));
  return (await real(a)) === (await real(b));
}

/**
 * Whether something accepts connections on host:port (a connection that hangs counts as taken):
 * the embedded server's port here, the apps' ports in `pnpm dev`.
 */
export function portTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists)
      await admin.unsafe(`create database "${name}"`).catch((e) => {
        if (!hasErrorCode(e, SQLSTATE.duplicateDatabase)) throw e; // created meanwhile by a concurrent command
      });
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}
