/**
 * `pnpm dev`: the whole stack on its embedded defaults. Starts (or reuses)
 * PostgreSQL, migrates it, adds the demo rows that are missing (keeping any an
 * instructor edited), then runs every app that exists, each in its own
 * process with DATABASE_URL set. Ctrl-C or SIGTERM stops the apps first, the
 * database last, and exits 0.
 *
 * `pnpm dev api` runs only the apps named; an argument that is a file is run as an app too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, databaseConfigSchema, migrateDatabase, openDatabaseOrExit, parseConfig, seedDemo } from '@sp/db';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[dev] ${line}`);

/** How long an app may take to finish its last work once asked to stop. */
const APP_STOP_TIMEOUT_MS = 15_000;

interface App {
  name: string;
  entry: string;
}

/** Apps that `pnpm dev` runs once they exist; each may decline to start with one line saying why. */
const knownApps: App[] = [
  { name: 'api', entry: `${root}apps/api/src/main.ts` },
  { name: 'agent', entry: `${root}apps/agent/src/dev.ts` },
  { name: 'web', entry: `${root}apps/web/src/dev.ts` },
];

function chosenApps(args: string[]): App[] {
  if (args.length === 0) return knownApps.filter((app) => existsSync(app.entry));
  return args.map((arg) => {
    const known = knownApps.find((app) => app.name === arg && existsSync(app.entry));
    if (known) return known;
    if (existsSync(resolve(arg))) return { name: basename(arg).replace(/\.[cm]?[jt]s$/, ''), entry: resolve(arg) };
    console.error(`[dev] "${arg}" is neither an app (${knownApps.map((app) => app.name).join(', ')}) nor a file`);
    return process.exit(1);
  });
}

const apps = chosenApps(process.argv.slice(2));
const database = await openDatabaseOrExit(parseConfig(databaseConfigSchema), log);
await migrateDatabase(database.url);
const handle = connect(database.url, { max: 2, applicationName: 'dev-seed' });
const seeded = await seedDemo(handle.db, { overwrite: false });
await handle.close();
log(
  `database ready at ${database.url} (demo tenant "${seeded.tenant.slug}", ${seeded.caseStudies.length} case studies)`,
);

let stopping = false;
const running = apps.map((app) => {
  const child = spawn(process.execPath, ['--import', 'tsx', app.entry], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: database.url },
  });
  child.on('exit', (code, signal) => {
    // Exiting on the stop signal (130, 143) is what we asked for; anything else is worth a line.
    const asked = stopping && (code === 0 || code === 130 || code === 143);
    if (!asked && (code || signal)) log(`${app.name} exited (${signal ?? `code ${code}`})`);
  });
  return { ...app, child };
});
if (running.length === 0) log('no apps yet; the database keeps running until Ctrl-C');

/** Asks an app to stop and waits until it has; one that hangs is killed after APP_STOP_TIMEOUT_MS. */
async function stopApp({ name, child }: App & { child: ChildProcess }) {
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

// A terminal's Ctrl-C reaches the apps too (same process group) but not the database,
// which runs in a group of its own: it outlives every app's last write.
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping the apps, then the database`);
  await Promise.all(running.map(stopApp));
  await database.stop();
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
