import { caseStudyContentSchema } from '@sp/core';
import { describe, expect, it } from 'vitest';
import { seedCaseStudies } from '../src/seed/cases/index.js';
import { DEMO_USERS, seedDemo } from '../src/seed/seed.js';
import { createTestDatabase } from '../src/testing/index.js';

const test = await createTestDatabase();

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
});
