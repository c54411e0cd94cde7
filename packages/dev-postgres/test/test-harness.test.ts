import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER } from '@sp/db';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, insertTenant } from '../src/testing/index.js';

const journal: { entries: unknown[] } = JSON.parse(
  await readFile(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'),
);
const first = await createTestDatabase();
const second = await createTestDatabase();
const empty = await createTestDatabase({ empty: true, max: 1 });

describe('createTestDatabase', () => {
  it('gives each call a database of its own', async () => {
    expect(first.name).not.toBe(second.name);
    const [[a], [b]] = [
      await first.sql`select current_database() as db`,
      await second.sql`select current_database() as db`,
    ];
    expect([a?.db, b?.db]).toEqual([first.name, second.name]);

    const tenant = await insertTenant(first.db);
    const seen = await second.sql`select 1 from tenants where id = ${tenant.id}`;
    expect(seen).toHaveLength(0);
  });

  it('hands out databases already migrated, with the grading queue installed', async () => {
    for (const { sql } of [first, second]) {
      const [applied] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(applied?.n).toBe(journal.entries.length);
      const [queue] = await sql`select count(*)::int as n from pgboss.queue where name = 'grading'`;
      expect(queue?.n).toBe(1);
    }
  });

  it('gives an empty database, not even migrated, when asked', async () => {
    const [tables] = await empty.sql`
      select count(*)::int as n from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`;
    expect(tables?.n).toBe(0);
  });
});
