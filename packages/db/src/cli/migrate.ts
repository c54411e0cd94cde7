import { databaseConfigSchema, parseConfig } from '../database-config.js';
import { openDatabaseOrExit } from '../dev-database.js';
import { migrateDatabase } from '../migrate.js';

const config = parseConfig(databaseConfigSchema);
const database = await openDatabaseOrExit(config, console.log);
try {
  await migrateDatabase(database.url);
  console.log('migrations applied');
} finally {
  await database.stop();
}
