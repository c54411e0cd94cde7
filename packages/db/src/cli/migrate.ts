/** `pnpm db:migrate`: applies the migrations and installs the job queue (safe to run twice). */
import { migrateDatabase } from '../migrate.js';
import { databaseCommand } from './database-command.js';

await databaseCommand('db:migrate', async (database) => {
  await migrateDatabase(database.url);
  console.log('migrations applied');
  return 0;
});
