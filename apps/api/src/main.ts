/**
 * Serves the API. Spawned by `pnpm dev` with DATABASE_URL set; run alone it
 * opens (and migrates) the embedded PostgreSQL the same way the db commands do.
 */
import { serve } from '@hono/node-server';
import { databaseConfigSchema, migrateDatabase, openDatabaseOrExit } from '@sp/db';
import { gradingConfigSchema, startGradingConsumer, startPendingSweep } from '@sp/grading';
import { describeProvider, modelProvider } from '@sp/models';
import { createLogger, exitOnConfigError, loadConfigs, stopOnSignal } from '@sp/runtime';
import { createApp } from './app.js';
import { apiConfigSchema } from './config.js';
import { BackgroundWork } from './http/background-work.js';
import { apiDatabase } from './http/deps.js';
import { liveKitRooms, liveKitUnreachableReason } from './http/livekit.js';
import { pendingEnded } from './http/session-endings.js';
import { DEFAULT_WEB_DIST_DIR, isBuiltWebApp } from './http/web-app.js';

// Every setting checked at once: each problem is one line on stderr, and the API does not start.
const {
  api: config,
  database: databaseConfig,
  grading: gradingConfig,
} = exitOnConfigError(() =>
  loadConfigs({ api: apiConfigSchema, database: databaseConfigSchema, grading: gradingConfigSchema }),
);
const logger = createLogger('api', config.LOG_LEVEL);

const database = await openDatabaseOrExit(databaseConfig, (line) => logger.info(line));
if (database.embedded) await migrateDatabase(database.url);
const handle = apiDatabase(database.url, config);
const models = modelProvider(gradingConfig);
logger.info(`study assistant and text-channel patient: ${describeProvider(models)}`);
const work = new BackgroundWork();
const livekit = liveKitRooms(config, { logger });
const app = createApp({ db: handle.db, config, livekit, logger, models, work });
// Grade ended sessions in this process too, unless a separate `jobs` process does.
const grading = gradingConfig.GRADING_IN_API
  ? await startGradingConsumer({ db: handle.db, sql: handle.sql, config: gradingConfig, logger })
  : null;
// Every minute, end the pending sessions nobody joined in time (pending_timeout) and close their rooms.
const pendingSweep = await startPendingSweep({
  db: handle.db,
  sql: handle.sql,
  timeoutSeconds: config.PENDING_TIMEOUT_SECONDS,
  logger,
  onExpired: (ended) => pendingEnded(livekit, ended, logger),
});

const server = serve({ fetch: app.fetch, port: config.PORT }, ({ port }) => {
  const web = isBuiltWebApp(config.WEB_DIST_DIR ?? DEFAULT_WEB_DIST_DIR) ? `http://localhost:${port}/` : null;
  logger.info({ port, docs: `http://localhost:${port}/docs`, web }, 'api listening');
});
server.once('error', async (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `port ${config.PORT} is taken by another program; set PORT to a free port`
      : `the API could not listen on port ${config.PORT}: ${error.message}`,
  );
  await pendingSweep.stop();
  await grading?.stop();
  await handle.close();
  await database.stop();
  process.exit(1);
});

liveKitUnreachableReason(config).then((reason) => {
  if (reason) {
    logger.warn(
      { livekit_url: config.LIVEKIT_URL, reason },
      'LiveKit is unreachable: initialize will answer 502 until it is up (serving everything else)',
    );
  }
});

stopOnSignal(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // Replies whose clients already left are still being stored.
  await work.idle();
  await grading?.stop();
  await pendingSweep.stop();
  await handle.close();
  await database.stop();
});
