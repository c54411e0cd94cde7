/**
 * Vitest global setup: one real PostgreSQL for the whole run (embedded in a
 * temp folder, or the server at DATABASE_URL) and one migrated template
 * database that each test file clones into a fresh database of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { freePort, type RunningPostgres, startEmbeddedPostgres, withDatabase } from '../embedded.js';
import { migrateDatabase } from '../migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  let embedded: RunningPostgres | null = null;
  let dataDir: string | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    dataDir = await mkdtemp(join(tmpdir(), 'sp-test-pg-'));
    embedded = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'data'),
      port: await freePort(),
      persistent: false,
      fast: true,
    });
    serverUrl = embedded.url;
  }
  const template = `sp_template_${process.pid}`;
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${template} with (force)`);
  await admin.unsafe(`create database ${template}`);
  await migrateDatabase(withDatabase(serverUrl, template));
  project.provide('pgServerUrl', withDatabase(serverUrl, 'postgres'));
  project.provide('pgTemplate', template);

  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`).catch(() => {});
    await admin.end();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
