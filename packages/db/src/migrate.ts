import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { connect } from './client.js';
import { installQueue } from './grading-queue.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Applies the SQL migrations and installs the job queue. Safe to run twice, and concurrently. */
export async function migrateDatabase(url: string): Promise<void> {
  const handle = connect(url, { max: 1, applicationName: 'migrate' });
  try {
    await handle.db.execute(sql`select pg_advisory_lock(7262901)`);
    await migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
    await installQueue(handle.db);
    await handle.db.execute(sql`select pg_advisory_unlock(7262901)`);
  } finally {
    await handle.close();
  }
}
