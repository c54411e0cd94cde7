/**
 * What every db:* command shares: the project's database (DATABASE_URL or this checkout's embedded
 * server), and a failure told in one line with exit status 1, never a stack trace.
 */
import { exitOnConfigError, loadConfig } from '@sp/runtime';
import { databaseConfigSchema } from '../database-config.js';
import { type OpenDatabase, openDatabaseOrExit } from '../open-database.js';

export async function databaseCommand(
  name: string,
  body: (database: OpenDatabase) => Promise<number | undefined>,
  log: (line: string) => void = console.log,
): Promise<never> {
  const database = await openDatabaseOrExit(
    exitOnConfigError(() => loadConfig(databaseConfigSchema)),
    log,
  );
  let code = 0;
  try {
    code = (await body(database)) ?? 0;
  } catch (error) {
    console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  } finally {
    await database.stop();
  }
  return process.exit(code);
}
