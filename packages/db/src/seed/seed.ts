/**
 * Demo data: one tenant, a student, an instructor and an admin, and three
 * published case studies. Upserts by natural keys, so running it twice changes nothing.
 */
import { caseStudyContentSchema } from '@sp/core';
import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { caseStudies, tenants, users } from '../schema.js';
import { seedCaseStudies } from './cases/index.js';

export const DEMO_TENANT = {
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'demo',
  name: 'Demo University',
} as const;

export const DEMO_USERS = [
  { id: 'demo-student', role: 'student', name: 'Sam Student', email: 'student@demo.test' },
  { id: 'demo-instructor', role: 'instructor', name: 'Ines Instructor', email: 'instructor@demo.test' },
  { id: 'demo-admin', role: 'admin', name: 'Ada Admin', email: 'admin@demo.test' },
] as const;

export async function seedDemo(db: Database) {
  return db.transaction(async (tx) => {
    const [tenant] = await tx
      .insert(tenants)
      .values(DEMO_TENANT)
      .onConflictDoUpdate({ target: tenants.slug, set: { name: DEMO_TENANT.name } })
      .returning();
    if (!tenant) throw new Error('demo tenant was not written');
    const seededUsers = await tx
      .insert(users)
      .values(DEMO_USERS.map((u) => ({ ...u, tenantId: tenant.id })))
      .onConflictDoUpdate({
        target: users.id,
        set: { role: sql`excluded.role`, name: sql`excluded.name`, email: sql`excluded.email` },
      })
      .returning();
    const cases = [];
    for (const raw of seedCaseStudies) {
      const content = caseStudyContentSchema.parse(raw);
      const [row] = await tx
        .insert(caseStudies)
        .values({ ...content, tenantId: tenant.id })
        .onConflictDoUpdate({
          target: [caseStudies.tenantId, caseStudies.slug],
          set: { ...content, updatedAt: sql`now()` },
        })
        .returning();
      if (row) cases.push(row);
    }
    return { tenant, users: seededUsers, caseStudies: cases };
  });
}
