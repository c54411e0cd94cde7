/** `pnpm db:psql`: opens psql on the project's database (embedded or DATABASE_URL), stopping the embedded server after. */
import { spawnSync } from 'node:child_process';
import { databaseCommand } from '@sp/db/database-command';

await databaseCommand(
  'db:psql',
  async (database) => {
    const result = spawnSync('psql', [database.url, ...process.argv.slice(2)], { stdio: 'inherit' });
    if (result.error)
      throw new Error(
        `psql is not installed (apt-get install postgresql-client); 'pnpm db:sql "<query>"' runs one query without it, or connect any client to ${database.url}`,
      );
    return result.status ?? 1;
  },
  console.error,
);
