import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devDatabaseConfigSchema as databaseConfigSchema } from '../src/config.js';
import { openDatabase } from '../src/dev-database.js';
import { freePort, temporaryDataRoot } from '../src/embedded.js';
import { createTestDatabase, processAlive } from '../src/testing/index.js';

const given = await createTestDatabase({ max: 1 });

async function query<T>(url: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

describe('openDatabase with DATABASE_URL set', () => {
  it('uses that server as it is, starts nothing, and leaves it running on stop', async () => {
    const lines: string[] = [];
    const config = databaseConfigSchema.parse({ DATABASE_URL: given.url, EMBEDDED_POSTGRES_DIR: '/nonexistent/never' });

    const database = await openDatabase(config, (line) => lines.push(line));
    expect(database).toMatchObject({ url: given.url, embedded: false });
    await database.stop();

    expect(lines).toEqual([]);
    const [row] = await given.sql`select current_database() as db`;
    expect(row?.db).toBe(given.name);
  });
});

describe('openDatabase with DATABASE_URL unset', () => {
  let dir: string;
  let config: ReturnType<typeof databaseConfigSchema.parse>;
  beforeAll(async () => {
    dir = await temporaryDataRoot('sp-dev-database-');
    config = databaseConfigSchema.parse({
      EMBEDDED_POSTGRES_DIR: join(dir, 'postgres'),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_DB: 'sp_dev_test',
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts embedded PostgreSQL in EMBEDDED_POSTGRES_DIR, creates EMBEDDED_POSTGRES_DB, reuses a running one, and keeps the data', async () => {
    const lines: string[] = [];
    const database = await openDatabase(config, (line) => lines.push(line));
    const pid = Number((await readFile(join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    try {
      expect(database.embedded).toBe(true);
      expect(new URL(database.url)).toMatchObject({
        port: String(config.EMBEDDED_POSTGRES_PORT),
        pathname: '/sp_dev_test',
      });
      expect(lines).toEqual([
        `DATABASE_URL is unset: starting embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_POSTGRES_PORT} (data in ${config.EMBEDDED_POSTGRES_DIR})`,
      ]);
      await query(database.url, async (sql) => {
        expect((await sql`select current_database() as db`)[0]?.db).toBe('sp_dev_test');
        await sql`create table kept (v int)`;
        await sql`insert into kept values (7)`;
      });

      // A second command (say db:seed while pnpm dev runs) uses the same server and does not stop it.
      const again = await openDatabase(config, (line) => lines.push(line));
      expect(again).toMatchObject({ url: database.url, embedded: true });
      await again.stop();
      expect(lines).toHaveLength(1);
      expect(processAlive(pid)).toBe(true);
    } finally {
      await database.stop();
    }
    expect(processAlive(pid)).toBe(false);

    const restarted = await openDatabase(config, () => {});
    try {
      const kept = await query(restarted.url, (sql) => sql`select v from kept`);
      expect(kept.map((r) => r.v)).toEqual([7]);
    } finally {
      await restarted.stop();
    }
  });
});
