/**
 * The grading consumer as a process of its own (`pnpm --filter @sp/api jobs`):
 * scale grading by running more of these; set GRADING_IN_API=false on the
 * API then. Run alone it opens (and migrates) the embedded PostgreSQL the
 * same way the API does.
 */
import { connect, databaseConfigSchema, migrateDatabase, openDatabaseOrExit } from '@sp/db';
import { gradingConfigSchema, startGradingConsumer } from '@sp/grading';
import { createLogger, exitOnConfigError, loadConfigs, loggingConfigSchema, stopOnSignal } from '@sp/runtime';

const {
  logging: { LOG_LEVEL },
  database: databaseConfig,
  grading: config,
} = exitOnConfigError(() =>
  loadConfigs({ logging: loggingConfigSchema, database: databaseConfigSchema, grading: gradingConfigSchema }),
);
const logger = createLogger('jobs', LOG_LEVEL);

const database = await openDatabaseOrExit(databaseConfig, (line) => logger.info(line));
if (database.embedded) await migrateDatabase(database.url);
// Each worker holds at most one connection at a time; a few more serve pg-boss's own upkeep.
const handle = connect(database.url, { max: config.GRADING_CONCURRENCY + 4, applicationName: 'jobs' });
const consumer = await startGradingConsumer({ db: handle.db, sql: handle.sql, config, logger });
logger.info('grading consumer running');

/** `docker stop` sends SIGKILL 10 s after SIGTERM: hand unfinished reports back well before that. */
const STOP_TIMEOUT_MS = 7_000;

stopOnSignal(async () => {
  // Returns once unfinished reports are back to pending and nothing of the consumer uses the pool.
  await consumer.stop(STOP_TIMEOUT_MS);
  await handle.close();
  await database.stop();
  logger.info('grading consumer stopped');
});
