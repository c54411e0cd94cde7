/**
 * The grading consumer as a process of its own (`pnpm --filter @sp/api jobs`):
 * scale grading by running more of these; set GRADING_IN_API=false on the
 * API then. Run alone it opens (and migrates) the embedded PostgreSQL the
 * same way the API does.
 */
import { connect, databaseConfigSchema, migrateDatabase, openDatabaseOrExit, parseConfig } from '@sp/db';
import { gradingConfigSchema, startGradingConsumer } from '@sp/grading';
import { stopOnSignal } from '@sp/runtime';
import { pino } from 'pino';
import { z } from 'zod';

const { LOG_LEVEL } = parseConfig(
  z.object({ LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }),
);
const databaseConfig = parseConfig(databaseConfigSchema);
const config = parseConfig(gradingConfigSchema);
const logger = pino({ level: LOG_LEVEL, base: { service: 'jobs' } });

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
