/**
 * The database a process runs on: DATABASE_URL when set. Unset, in a development checkout, this
 * checkout's embedded PostgreSQL from the development-only package `@sp/dev-postgres` (loaded here
 * and only here, on demand); a production install has no such package and says so in one line.
 */
import type { DatabaseConfig } from './database-config.js';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  /** Settles with one line if the embedded server this process started exits without being asked; else never. */
  unexpectedExit: Promise<string>;
  stop(): Promise<void>;
}

const never = new Promise<string>(() => {});

/** A database someone else runs (DATABASE_URL): nothing of it to stop, and it never exits on our account. */
export function databaseAt(url: string): OpenDatabase {
  return { url, embedded: false, unexpectedExit: never, stop: async () => {} };
}

/** Opens the database, or stops the process with one line saying why it cannot. */
export async function openDatabaseOrExit(config: DatabaseConfig, log: (line: string) => void): Promise<OpenDatabase> {
  if (config.DATABASE_URL) return databaseAt(config.DATABASE_URL);
  let development: typeof import('@sp/dev-postgres');
  try {
    development = await import('@sp/dev-postgres');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    console.error(
      'configuration error: DATABASE_URL: required here (the embedded PostgreSQL of development checkouts is not installed)',
    );
    return process.exit(1);
  }
  return development.openDevelopmentDatabaseOrExit(log);
}
