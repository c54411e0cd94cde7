/**
 * `pnpm dev`: the whole stack on its embedded defaults. Starts (or reuses)
 * PostgreSQL, migrates and seeds it, then runs every app that exists, each in
 * its own process with DATABASE_URL set. Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect, databaseConfigSchema, migrateDatabase, openDatabase, parseConfig, seedDemo } from '@sp/db';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => console.log(`[dev] ${line}`);

/** Apps that `pnpm dev` runs once they exist; each may decline to start with one line saying why. */
const apps = [
  { name: 'api', entry: 'apps/api/src/main.ts' },
  { name: 'agent', entry: 'apps/agent/src/dev.ts' },
  { name: 'web', entry: 'apps/web/src/dev.ts' },
];

const database = await openDatabase(parseConfig(databaseConfigSchema), log);
await migrateDatabase(database.url);
const handle = connect(database.url, { max: 2, applicationName: 'dev-seed' });
const seeded = await seedDemo(handle.db);
await handle.close();
log(
  `database ready at ${database.url} (demo tenant "${seeded.tenant.slug}", ${seeded.caseStudies.length} case studies)`,
);

const children: ChildProcess[] = [];
for (const app of apps) {
  if (!existsSync(`${root}${app.entry}`)) continue;
  const child = spawn(process.execPath, ['--import', 'tsx', app.entry], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: database.url },
  });
  child.on('exit', (code) => code && log(`${app.name} exited with code ${code}`));
  children.push(child);
}
if (children.length === 0) log('no apps yet; the database keeps running until Ctrl-C');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
