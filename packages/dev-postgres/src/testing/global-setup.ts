/**
 * Vitest global setup: one real PostgreSQL for the whole run (embedded in a
 * temp folder, or the server at DATABASE_URL) and one migrated template
 * database that each test file clones into a fresh database of its own.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { migrateDatabase } from '@sp/db';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { freePort, startEmbeddedPostgres, temporaryDataRoot, withDatabase } from '../embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  // Each step registers its undoing as soon as it has happened, so a failure part-way leaves nothing behind.
  const undo: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const step of undo.reverse()) await step().catch(() => {});
  };
  try {
    let serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) {
      const dataRoot = await temporaryDataRoot('sp-test-pg-');
      undo.push(() => rm(dataRoot, { recursive: true, force: true }));
      const embedded = await startEmbeddedPostgres({
        dataDir: join(dataRoot, 'data'),
        port: await freePort(),
        persistent: false,
        fast: true,
      });
      undo.push(() => embedded.stop());
      serverUrl = embedded.url;
    }
    const template = `sp_template_${process.pid}`;
    const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
    undo.push(() => admin.end());
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.unsafe(`create database ${template}`);
    undo.push(() => admin.unsafe(`drop database if exists ${template} with (force)`));
    await migrateDatabase(withDatabase(serverUrl, template));
    project.provide('pgServerUrl', withDatabase(serverUrl, 'postgres'));
    project.provide('pgTemplate', template);
  } catch (error) {
    await teardown();
    // One line that says what failed and what to do, instead of a stack trace and a run with no tests.
    const server = process.env.DATABASE_URL ? 'the PostgreSQL at DATABASE_URL' : 'the embedded PostgreSQL';
    console.error(
      `pnpm test: ${server} could not be prepared: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  return teardown;
}
