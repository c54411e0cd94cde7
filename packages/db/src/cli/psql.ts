/** Opens psql on the project's database (embedded or DATABASE_URL), stopping the embedded server after. */
import { spawnSync } from 'node:child_process';
import { databaseConfigSchema, parseConfig } from '../database-config.js';
import { openDatabaseOrExit } from '../dev-database.js';

const config = parseConfig(databaseConfigSchema);
const database = await openDatabaseOrExit(config, console.error);
const result = spawnSync('psql', [database.url, ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.error) {
  console.error(
    `psql is not installed (apt-get install postgresql-client); 'pnpm db:sql "<query>"' runs one query without it, or connect any client to ${database.url}`,
  );
}
await database.stop();
process.exit(result.status ?? 1);
