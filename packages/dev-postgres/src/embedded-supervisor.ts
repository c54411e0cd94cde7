/**
 * The process that owns one embedded PostgreSQL server, run by
 * `startEmbeddedPostgres` in a process group of its own, so that a Ctrl-C in a
 * terminal (which signals the whole foreground group) cannot stop the database
 * before the apps that use it have finished. It runs initdb and postgres itself
 * (as the `postgres` user when we are root), tells its parent when the server is
 * ready, and when it exits on its own. The server stops when the parent asks, or
 * when the parent goes away (even killed outright).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisorMessage, SupervisorOptions } from './embedded.js';
import { ensureServerUser, prepareDataDir, runningAsRoot, type ServerIdentity } from './embedded-data-dir.js';
import { type PostgresPrograms, programsFor } from './embedded-programs.js';

const options: SupervisorOptions = JSON.parse(process.argv[2] ?? '{}');
const recentLines: string[] = [];
const where = `embedded PostgreSQL (port ${options.port}, data in ${options.dataDir})`;

/** Sends a message to the parent; resolves once it is on its way (or at once if the parent has gone). */
function tell(message: SupervisorMessage): Promise<void> {
  return new Promise((resolve) =>
    process.connected && process.send ? process.send(message, () => resolve()) : resolve(),
  );
}

function log(text: string) {
  const lines = text.split('\n').filter(Boolean);
  recentLines.push(...lines);
  recentLines.splice(0, recentLines.length - 30);
  for (const line of lines) void tell({ type: 'log', line });
}

/** A child's output as whole lines (a chunk may end mid-line); `end` logs what is left. */
function lineReader() {
  let rest = '';
  return {
    write(chunk: Buffer | string) {
      const text = rest + String(chunk);
      const cut = text.lastIndexOf('\n');
      rest = text.slice(cut + 1);
      if (cut >= 0) log(text.slice(0, cut));
      return text;
    },
    end() {
      if (rest) log(rest);
      rest = '';
    },
  };
}

/** What went wrong, in postgres's own words: its telling lines, else its last ones. */
function telling(): string {
  // Postgres's lines start with a timestamp and pid ("2025-01-01 10:00:00.000 UTC [123] FATAL:  ...").
  const lines = recentLines.map((line) => line.replace(/^.*?\[\d+\] /, '').replace(/:\s+/, ': '));
  const found = lines.filter((line) =>
    /^(WARNING|ERROR|FATAL|PANIC|HINT|DETAIL):|^LOG: could not|^initdb: (error|hint|detail):/.test(line),
  );
  return (found.length ? found : lines.slice(-3)).join('\n');
}

/** Runs as the server's user when we are root: PostgreSQL refuses to run as root. */
const asServerUser = (identity: ServerIdentity | null): { uid: number; gid: number } | null =>
  identity?.uid != null ? { uid: identity.uid, gid: identity.gids[0] ?? identity.uid } : null;

/** Messages in English whatever the machine's locale: readiness is recognised by postgres's words. */
const serverEnv = { ...process.env, LC_MESSAGES: 'C' };

/**
 * initdb, given the password in a file of a private folder that is removed again whatever happens
 * (initdb reads it by name; Node's pipes are sockets, which /dev/stdin cannot open).
 */
async function initialise(programs: PostgresPrograms, identity: ServerIdentity | null): Promise<void> {
  const ids = asServerUser(identity);
  if (ids) await chown(options.dataDir, ids.uid, ids.gid);
  const secrets = await mkdtemp(join(tmpdir(), 'sp-pg-init-'));
  try {
    const passwordFile = join(secrets, 'password');
    await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
    if (ids) {
      await chown(secrets, ids.uid, ids.gid);
      await chown(passwordFile, ids.uid, ids.gid);
    }
    const initdb = spawn(
      programs.initdb,
      [
        `--pgdata=${options.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${options.user}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--lc-messages=C',
        '--no-instructions',
      ],
      { ...ids, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const [out, err] = [lineReader(), lineReader()];
    initdb.stdout?.on('data', (chunk) => out.write(chunk));
    initdb.stderr?.on('data', (chunk) => err.write(chunk));
    const [code, signal] = await exitOf(initdb);
    out.end();
    err.end();
    if (code !== 0) throw new Error(telling() || `initdb exited (${signal ?? `exit code ${code}`})`);
  } finally {
    await rm(secrets, { recursive: true, force: true });
  }
}

/** The child's exit code and signal; a child that could not be spawned at all rejects with why. */
function exitOf(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve([code, signal]));
  });
}

let server = null as ChildProcess | null;
let stopping: Promise<never> | null = null;

/** Starts postgres; resolves once it accepts connections, rejects with its words if it exits first. */
async function start(programs: PostgresPrograms, identity: ServerIdentity | null): Promise<void> {
  const child = spawn(
    programs.postgres,
    [
      '-D',
      options.dataDir,
      '-p',
      String(options.port),
      // TCP on loopback only: no socket files left in /tmp.
      '-c',
      'unix_socket_directories=',
      ...options.postgresFlags,
    ],
    { ...asServerUser(identity), env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server = child;
  await new Promise<void>((resolve, reject) => {
    const [out, err] = [lineReader(), lineReader()];
    const onOutput = (reader: ReturnType<typeof lineReader>) => (chunk: Buffer) => {
      if (reader.write(chunk).includes('database system is ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onOutput(out));
    child.stderr?.on('data', onOutput(err));
    exitOf(child).then(([code, signal]) => {
      out.end();
      err.end();
      reject(new Error(telling() || `postgres exited (${signal ?? `exit code ${code}`})`));
    }, reject);
  });
}

function stopAndExit(code: number): Promise<never> {
  stopping ??= (async () => {
    const child = server;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGINT'); // fast shutdown: running transactions are rolled back, the data is consistent
      await exited;
    }
    if (!options.persistent) await rm(options.dataDir, { recursive: true, force: true }).catch(() => {});
    return process.exit(code);
  })();
  return stopping;
}
process.on('message', (message: { type?: string }) => message?.type === 'stop' && stopAndExit(0));
process.on('disconnect', () => stopAndExit(0));

/** One line: what failed and the first words of why. */
const oneLine = (text: string) => text.split('\n').join('; ');

async function run(): Promise<{ message: string; cause?: { message: string; stack?: string } } | null> {
  let identity: ServerIdentity | null = null;
  let programs: PostgresPrograms;
  try {
    if (runningAsRoot()) identity = await ensureServerUser();
    await prepareDataDir(options.dataDir);
    programs = await programsFor(identity);
  } catch (error) {
    return { message: (error as Error).message };
  }
  try {
    const initialised = await readFile(join(options.dataDir, 'PG_VERSION')).then(
      () => true,
      () => false,
    );
    if (!initialised) await initialise(programs, identity);
  } catch (error) {
    const cause = error as Error;
    return { message: `${where} could not be initialised: ${oneLine(cause.message)}`, cause };
  }
  try {
    await start(programs, identity);
  } catch (error) {
    const cause = error as Error;
    return { message: `${where} could not start: ${oneLine(cause.message)}`, cause };
  }
  return null;
}

const failure = await run();
if (failure) {
  // Nothing runs to stop: the server never started, or has exited already.
  if (!options.persistent) await rm(options.dataDir, { recursive: true, force: true }).catch(() => {});
  await tell({
    type: 'failed',
    message: failure.message,
    cause: failure.cause && { message: failure.cause.message, stack: failure.cause.stack },
  });
  process.exit(1);
} else if (!stopping && server) {
  const pid = server.pid ?? 0;
  // From now on an exit we did not ask for is news for the parent, and the end of this supervisor.
  server.once('exit', async (code, signal) => {
    if (stopping) return;
    await tell({
      type: 'exited',
      message: `${where} exited on its own (${signal ?? `exit code ${code}`})${telling() ? `: ${oneLine(telling())}` : ''}`,
    });
    process.exit(1);
  });
  await tell({ type: 'ready', pid });
}
