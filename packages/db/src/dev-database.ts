/**
 * The database for `pnpm dev` and the db:* commands: DATABASE_URL when set,
 * else an embedded PostgreSQL whose data lives in a git-ignored folder.
 */
import postgres from 'postgres';
import type { DatabaseConfig } from './database-config.js';
import { embeddedUrl, startEmbeddedPostgres, withDatabase } from './embedded.js';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig, log: (line: string) => void): Promise<OpenDatabase> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  const running = await reachableEmbedded(config.EMBEDDED_POSTGRES_PORT);
  if (running)
    return { url: await ensureDatabase(running, config.EMBEDDED_POSTGRES_DB), embedded: true, stop: async () => {} };
  log(
    `DATABASE_URL is unset: starting embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_POSTGRES_PORT} (data in ${config.EMBEDDED_POSTGRES_DIR})`,
  );
  const server = await startEmbeddedPostgres({
    dataDir: config.EMBEDDED_POSTGRES_DIR,
    port: config.EMBEDDED_POSTGRES_PORT,
    persistent: true,
  });
  return { url: await ensureDatabase(server.url, config.EMBEDDED_POSTGRES_DB), embedded: true, stop: server.stop };
}

/** For commands: opens the database, or stops the process with one line saying why it cannot. */
export async function openDatabaseOrExit(config: DatabaseConfig, log: (line: string) => void): Promise<OpenDatabase> {
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

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists)
      await admin.unsafe(`create database "${name}"`).catch((e) => {
        if (e?.code !== '42P04') throw e; // created meanwhile by a concurrent command
      });
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}

/** Stops `stop` once on SIGINT/SIGTERM, then exits. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
