import { caseStudyContentSchema } from '@sp/core';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseStudies } from '../src/schema.js';
import { seedCaseStudies } from '../src/seed/cases/index.js';
import { DEMO_USERS, seedDemo } from '../src/seed/seed.js';

const test = await createTestDatabase();
const devTest = await createTestDatabase();

async function counts() {
  const [row] = await test.sql`
    select (select count(*) from tenants)::int as tenants,
           (select count(*) from users)::int as users,
           (select count(*) from case_studies)::int as case_studies`;
  return row;
}

describe('db:seed', () => {
  it('leaves exactly one copy of each seeded row when run twice', async () => {
    const first = await seedDemo(test.db);
    const afterFirst = await counts();
    const second = await seedDemo(test.db);

    expect(afterFirst).toEqual({ tenants: 1, users: DEMO_USERS.length, case_studies: 3 });
    expect(await counts()).toEqual(afterFirst);
    expect(second.caseStudies.map((c) => c.id).sort()).toEqual(first.caseStudies.map((c) => c.id).sort());
    expect(second.tenant.id).toBe(first.tenant.id);
  });

  it('seeds three published case studies of teaching quality', () => {
    expect(seedCaseStudies).toHaveLength(3);
    for (const raw of seedCaseStudies) {
      const cs = caseStudyContentSchema.parse(raw);
      expect(cs.published).toBe(true);
      expect(cs.rubric.length).toBeGreaterThanOrEqual(8);
      expect(cs.facts.filter((f) => f.disclosure === 'when_asked').length).toBeGreaterThan(0);
      expect(new Set(cs.rubric.map((r) => r.id)).size).toBe(cs.rubric.length);
      expect(new Set(cs.facts.map((f) => f.id)).size).toBe(cs.facts.length);
    }
  });

  it("on pnpm dev adds only the missing demo rows, keeping an instructor's edits; db:seed restores them", async () => {
    const { caseStudies: [edited, kept, deleted] = [] } = await seedDemo(devTest.db, { overwrite: false });
    if (!edited || !kept || !deleted) throw new Error('expected three demo case studies');
    await devTest.db.update(caseStudies).set({ title: 'Edited by an instructor' }).where(eq(caseStudies.id, edited.id));
    await devTest.db.delete(caseStudies).where(eq(caseStudies.id, deleted.id));

    const devStart = await seedDemo(devTest.db, { overwrite: false });
    expect(devStart.caseStudies.map((c) => c.title)).toEqual(['Edited by an instructor', kept.title, deleted.title]);
    expect(devStart.caseStudies.map((c) => c.id).slice(0, 2)).toEqual([edited.id, kept.id]);

    const dbSeed = await seedDemo(devTest.db);
    expect(dbSeed.caseStudies.map((c) => c.title)).toEqual([edited.title, kept.title, deleted.title]);
    const [row] = await devTest.sql`select count(*)::int as n from case_studies`;
    expect(row?.n).toBe(3);
  });
});
