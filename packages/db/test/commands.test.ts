import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../src/index.js';
import { DEMO_USERS } from '../src/seed/seed.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const toMigrate = await createTestDatabase({ empty: true, max: 1 });
const toSeed = await createTestDatabase({ empty: true, max: 1 });
const journal: { entries: unknown[] } = JSON.parse(
  await readFile(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'),
);

/** `pnpm db:migrate` / `pnpm db:seed` as a user runs them (tsx on the command), against `url`. */
function command(script: 'migrate' | 'seed' | 'sql', url: string, args: string[] = []) {
  return run(join(root, 'node_modules/.bin/tsx'), [`packages/db/src/cli/${script}.ts`, ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
  });
}

describe('db:migrate', () => {
  it('migrates the database at DATABASE_URL, and a second run changes nothing', async () => {
    const first = await command('migrate', toMigrate.url);
    expect(first.stdout).toContain('migrations applied');
    const [applied] =
      await toMigrate.sql`select count(*)::int as n, max(created_at) as last from drizzle.__drizzle_migrations`;
    expect(applied?.n).toBe(journal.entries.length);

    await command('migrate', toMigrate.url);
    const [again] =
      await toMigrate.sql`select count(*)::int as n, max(created_at) as last from drizzle.__drizzle_migrations`;
    expect(again).toEqual(applied);
    const [queues] = await toMigrate.sql`select count(*)::int as n from pgboss.queue where name = 'grading'`;
    expect(queues?.n).toBe(1);
  });
});

describe('db:seed', () => {
  it('migrates and seeds the database at DATABASE_URL; run twice it leaves one copy of each row, as shipped', async () => {
    const counts = async () => {
      const [row] = await toSeed.sql`
        select (select count(*) from tenants)::int as tenants,
               (select count(*) from users)::int as users,
               (select count(*) from case_studies)::int as case_studies`;
      return row;
    };

    const first = await command('seed', toSeed.url);
    expect(first.stdout).toContain(`seeded tenant demo: ${DEMO_USERS.length} users, 3 case studies`);
    expect(await counts()).toEqual({ tenants: 1, users: DEMO_USERS.length, case_studies: 3 });
    const [shipped] = await toSeed.sql`select slug, title from case_studies order by slug limit 1`;
    await toSeed.sql`update case_studies set title = 'Edited' where slug = ${shipped?.slug}`;

    await command('seed', toSeed.url);
    expect(await counts()).toEqual({ tenants: 1, users: DEMO_USERS.length, case_studies: 3 });
    const [restored] = await toSeed.sql`select slug, title from case_studies order by slug limit 1`;
    expect(restored).toEqual(shipped);
  });
});

describe('db:sql', () => {
  it('runs one query without psql and prints the rows as an aligned table', async () => {
    await command('seed', toSeed.url);
    const { stdout } = await command('sql', toSeed.url, ['select slug, published from case_studies order by slug']);
    const [slug] = (await toSeed.sql`select slug from case_studies order by slug limit 1`).map((row) => row.slug);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ slug +\| published$/);
    expect(lines[1]).toMatch(/^-+\+-+$/);
    expect(lines[2]).toMatch(new RegExp(`^ ${slug} +\\| true$`));
    expect(lines.at(-1)).toBe('(3 rows)');
  });

  it('says in one line what failed, with exit status 1', async () => {
    const failed = await command('sql', toSeed.url, ['select no_such_column from case_studies']).catch(
      (error) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe('query failed: column "no_such_column" does not exist');
  });
});
