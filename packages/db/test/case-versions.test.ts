/**
 * Case-study versions: the migration's backfill (published cases and cases with sessions get version 1,
 * every existing session pins it), and the seed's versions of the demo cases.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, MIGRATIONS_FOLDER, migrateDatabase } from '../src/index.js';
import { seedDemo } from '../src/seed/seed.js';

const before = await createTestDatabase({ empty: true, max: 1 });
const seeded = await createTestDatabase();

/** The migrations up to (not including) the versions migration, in a folder of their own. */
async function migrationsBeforeVersions(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'sp-migrations-'));
  afterAll(() => rm(folder, { recursive: true, force: true }));
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta/_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === '0011_case_versions');
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  return folder;
}

describe('the versions migration', () => {
  it('gives published cases and cases with sessions version 1 and pins every existing session to it', async () => {
    const handle = connect(before.url, { max: 1 });
    try {
      await migrate(handle.db, { migrationsFolder: await migrationsBeforeVersions() });
    } finally {
      await handle.close();
    }
    const sql = before.sql;
    const [tenant] = await sql`insert into tenants (slug, name) values ('t', 'T') returning id`;
    const caseRow = (slug: string, published: boolean) => sql`
      insert into case_studies (tenant_id, slug, title, description, persona, facts, rubric, published)
      values (${tenant!.id}, ${slug}, ${`Title ${slug}`}, 'd', '{"name": "P"}'::jsonb, '[]'::jsonb,
        '[{"id": "r", "weight": 1}]'::jsonb, ${published}) returning id`;
    const [live] = await caseRow('live', true);
    const [withdrawn] = await caseRow('withdrawn', false);
    const [draft] = await caseRow('draft', false);
    for (const [caseId, n] of [
      [live!.id, 1],
      [live!.id, 2],
      [withdrawn!.id, 1],
    ] as const) {
      await sql`insert into sessions (tenant_id, user_id, content_id, room_name, attempt_number)
        values (${tenant!.id}, 's', ${caseId}, ${`room-${caseId}-${n}`}, ${n})`;
      if (n === 1 && caseId === live!.id) {
        await sql`update sessions set status = 'ended', is_active = false, end_reason = 'user_ended' where content_id = ${caseId}`;
      }
    }

    await migrateDatabase(before.url);

    const versions =
      await sql`select case_study_id, number, content->>'title' as title, content ? 'published' as has_published
      from case_study_versions order by number, case_study_id`;
    expect(versions.map((v) => v.case_study_id).sort()).toEqual([live!.id, withdrawn!.id].sort());
    expect(versions.every((v) => v.number === 1 && !v.has_published)).toBe(true);
    expect(versions.find((v) => v.case_study_id === live!.id)?.title).toBe('Title live');
    const pins = await sql`select s.content_id, v.case_study_id, v.number from sessions s
      join case_study_versions v on v.id = s.case_study_version_id`;
    expect(pins).toHaveLength(3);
    for (const pin of pins) expect(pin).toMatchObject({ case_study_id: pin.content_id, number: 1 });
    expect(await sql`select 1 from case_study_versions where case_study_id = ${draft!.id}`).toHaveLength(0);
    // The pin is required from now on.
    await expect(
      sql`insert into sessions (tenant_id, user_id, content_id, room_name, attempt_number)
        values (${tenant!.id}, 'x', ${draft!.id}, 'room-x', 1)`,
    ).rejects.toThrow(/case_study_version_id/);
  });
});

describe('the seed', () => {
  it('records each demo case as version 1, and a new version only when db:seed restores changed content', async () => {
    const first = await seedDemo(seeded.db);
    const numbers = async () =>
      (await seeded.sql`select case_study_id, number from case_study_versions order by case_study_id, number`).map(
        (r) => `${r.case_study_id}:${r.number}`,
      );
    expect(await numbers()).toEqual(first.caseStudies.map((c) => `${c.id}:1`).sort());
    await seedDemo(seeded.db);
    expect(await numbers()).toHaveLength(3);
    const [edited] = first.caseStudies;
    await seeded.sql`update case_studies set title = 'Changed behind the seed' where id = ${edited!.id}`;
    await seedDemo(seeded.db, { overwrite: false });
    // `pnpm dev` keeps the changed row, and what it now says is its version 2; `db:seed` restores it as version 3.
    expect(await numbers()).toContain(`${edited!.id}:2`);
    await seedDemo(seeded.db);
    expect(await numbers()).toContain(`${edited!.id}:3`);
    const [latest] = await seeded.sql`select content->>'title' as title from case_study_versions
      where case_study_id = ${edited!.id} order by number desc limit 1`;
    expect(latest?.title).toBe(edited!.title);
  });
});
