/**
 * `pnpm dev`: the whole stack on its embedded defaults. Starts (or reuses)
 * PostgreSQL, migrates it, adds the demo rows that are missing (keeping any an
 * instructor edited), then runs every app that exists, each in its own
 * process with DATABASE_URL set.
 *
 * Stopping: SIGINT or SIGTERM, sent to pnpm (it forwards it: the script runs
 * under `exec`), to this process or to the whole group, stops the apps first,
 * the database last, and exits 0. If the parent goes away without a signal,
 * the same happens. If the database or an app exits on its own, one line says
 * so and the rest is stopped, exit status 1.
 *
 * `pnpm dev api` runs only the apps named; an argument that is a file is run as an app too.
 * Adding an app: one entry in `knownApps` (its entry file, and the port variable it listens on).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, migrateDatabase, type OpenDatabase, seedDemo } from '@sp/db';
import { devDatabaseConfigSchema, openDatabase, portTaken } from '@sp/dev-postgres';
import { exitOnConfigError, loadConfig, loadProcessEnvFile } from '@sp/runtime';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[dev] ${line}`);
const fail = (line: string) => console.error(`[dev] ${line}`);

/** How long an app may take to finish its last work once asked to stop. */
const APP_STOP_TIMEOUT_MS = 15_000;

interface App {
  name: string;
  entry: string;
  /** The variable naming the port the app listens on, and its default; checked before anything starts. */
  port?: { variable: string; fallback: number };
}

/** Apps that `pnpm dev` runs once they exist; each may decline to start with one line saying why. */
const knownApps: App[] = [
  { name: 'api', entry: `${root}apps/api/src/main.ts`, port: { variable: 'PORT', fallback: 8080 } },
  { name: 'agent', entry: `${root}apps/agent/src/dev.ts` },
  { name: 'web', entry: `${root}apps/web/src/dev.ts`, port: { variable: 'WEB_PORT', fallback: 5173 } },
];

function chosenApps(args: string[]): App[] {
  if (args.length === 0) return knownApps.filter((app) => existsSync(app.entry));
  return args.map((arg) => {
    const known = knownApps.find((app) => app.name === arg && existsSync(app.entry));
    if (known) return known;
    if (existsSync(resolve(arg))) return { name: basename(arg).replace(/\.[cm]?[jt]s$/, ''), entry: resolve(arg) };
    fail(`"${arg}" is neither an app (${knownApps.map((app) => app.name).join(', ')}) nor a file`);
    return process.exit(1);
  });
}

type Running = App & { child: ChildProcess };
let database: OpenDatabase | null = null;
let running: Running[] = [];
let stopping = false;

/** Asks an app to stop and waits until it has; one that hangs is killed after APP_STOP_TIMEOUT_MS. */
async function stopApp({ name, child }: Running) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log(`${name} did not stop within ${APP_STOP_TIMEOUT_MS / 1000} s; killing it`);
    child.kill('SIGKILL');
  }, APP_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Stops the apps, then the database, then exits with `code`. A terminal's Ctrl-C reaches the apps
 * too (same process group) but not the database, which runs in a group of its own: it outlives
 * every app's last write.
 */
async function shutdown(reason: string, code: number) {
  if (stopping) return;
  stopping = true;
  log(`${reason}: stopping the apps, then the database`);
  await Promise.all(running.map(stopApp));
  await database?.stop();
  log('stopped');
  process.exit(code);
}
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('SIGTERM', () => shutdown('SIGTERM', 0));
process.on('SIGHUP', () => shutdown('SIGHUP', 0));
// Whoever started us (pnpm, a terminal) went away without a word: stop as if asked.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && shutdown('the parent process exited', 0), 500).unref();

async function start() {
  exitOnConfigError(loadProcessEnvFile);
  const apps = chosenApps(process.argv.slice(2));
  for (const { port } of apps) {
    const value = Number(process.env[port?.variable ?? ''] || port?.fallback);
    if (port && (await portTaken(value, 'localhost')))
      throw new Error(`port ${value} is taken by another program; set ${port.variable} to a free port`);
  }
  database = await openDatabase(
    exitOnConfigError(() => loadConfig(devDatabaseConfigSchema)),
    log,
  );
  database.unexpectedExit.then((line) => shutdown(`${line}; nothing can work without it`, 1));
  await migrateDatabase(database.url);
  const handle = connect(database.url, { max: 2, applicationName: 'dev-seed' });
  try {
    const seeded = await seedDemo(handle.db, { overwrite: false });
    log(
      `database ready at ${database.url} (demo tenant "${seeded.tenant.slug}", ${seeded.caseStudies.length} case studies)`,
    );
  } finally {
    await handle.close();
  }
  if (stopping) return;
  const url = database.url;
  running = apps.map((app) => {
    const child = spawn(process.execPath, ['--import', 'tsx', app.entry], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: url },
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      // An app may decline to start (exit 0, having said why); any other ending takes the stack down.
      if (code === 0) return;
      void shutdown(`${app.name} exited (${signal ?? `code ${code}`})`, 1);
    });
    return { ...app, child };
  });
  if (running.length === 0) log('no apps yet; the database keeps running until Ctrl-C');
}

start().catch(async (error: unknown) => {
  fail(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  stopping = true;
  await Promise.all(running.map(stopApp));
  await database?.stop();
  process.exit(1);
});
