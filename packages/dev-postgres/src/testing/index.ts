/**
 * Test support: a fresh, migrated database of its own for each test file, on
 * the real PostgreSQL that the global setup started. Never a mock.
 */
import { randomBytes } from 'node:crypto';
import { connect, type DbHandle } from '@sp/db';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';
import { withDatabase } from '../embedded.js';

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
}

export interface TestDatabaseOptions {
  /** Pool size. */
  max?: number;
  /** An empty database, not even migrated, instead of a clone of the migrated template. */
  empty?: boolean;
}

/** Clones the migrated template (or creates an empty database) of its own, dropped again after the file's tests. */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const template = options.empty ? 'template0' : inject('pgTemplate');
  const name = `sp_test_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${template} strategy file_copy`);
  const url = withDatabase(serverUrl, name);
  const handle = connect(url, { max: options.max ?? 10, applicationName: 'test' });
  afterAll(async () => {
    await handle.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return { ...handle, url, name };
}

export * from './fixtures.js';
