/**
 * Demo data: one tenant, a student, an instructor and an admin, and three
 * published case studies (the files `content/cases/*.json`, each with its
 * published version), written by natural keys, so running it twice changes
 * nothing. `pnpm db:seed` restores rows that exist to the shipped content;
 * `pnpm dev` only adds the missing ones, keeping what instructors edited.
 */
import { caseStudyContentSchema, unknownVoiceProblem, type VoiceCatalog, voiceCatalog } from '@sp/core';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordPublishedVersion } from '../case-versions.js';
import type { Database } from '../client.js';
import { caseStudies, tenants, users } from '../schema.js';
import { loadCaseFiles } from './cases/load.js';

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

export interface SeedOptions {
  /** Restore existing demo rows to the shipped content (true, `db:seed`), or leave them as they are (false, `pnpm dev`). */
  overwrite?: boolean;
  /** The voices cases may name (`voiceCatalog`); a case naming another is refused. Default: OpenAI's. */
  voices?: VoiceCatalog;
}

export async function seedDemo(db: Database, { overwrite = true, voices = voiceCatalog({}) }: SeedOptions = {}) {
  // Cases are validated before anything is written: a voice the provider lacks is refused here, not at run time.
  const contents = loadCaseFiles().map((raw) => {
    const content = caseStudyContentSchema.parse(raw);
    const problem = unknownVoiceProblem(content.persona.voice, voices);
    if (problem) throw new Error(`case study ${content.slug}: ${problem}`);
    return content;
  });
  return db.transaction(async (tx) => {
    const tenantRow = tx.insert(tenants).values(DEMO_TENANT);
    await (overwrite
      ? tenantRow.onConflictDoUpdate({ target: tenants.slug, set: { name: DEMO_TENANT.name } })
      : tenantRow.onConflictDoNothing({ target: tenants.slug }));
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.slug, DEMO_TENANT.slug));
    if (!tenant) throw new Error('demo tenant was not written');

    const userRows = tx.insert(users).values(DEMO_USERS.map((u) => ({ ...u, tenantId: tenant.id })));
    await (overwrite
      ? userRows.onConflictDoUpdate({
          target: users.id,
          set: { role: sql`excluded.role`, name: sql`excluded.name`, email: sql`excluded.email` },
        })
      : userRows.onConflictDoNothing({ target: users.id }));
    const userIds: string[] = DEMO_USERS.map((u) => u.id);
    const seededUsers = await tx.select().from(users).where(inArray(users.id, userIds));

    for (const content of contents) {
      const caseRow = tx.insert(caseStudies).values({ ...content, tenantId: tenant.id });
      await (overwrite
        ? caseRow.onConflictDoUpdate({
            target: [caseStudies.tenantId, caseStudies.slug],
            set: { ...content, draft: null, archivedAt: null, updatedAt: sql`now()` },
          })
        : caseRow.onConflictDoNothing({ target: [caseStudies.tenantId, caseStudies.slug] }));
    }
    const slugs = contents.map((c) => c.slug);
    const cases = await tx
      .select()
      .from(caseStudies)
      .where(and(eq(caseStudies.tenantId, tenant.id), inArray(caseStudies.slug, slugs)))
      .for('update');
    // Sessions pin versions: what a published demo case says is its latest version (a new one only when it changed).
    for (const row of cases) if (row.published) await recordPublishedVersion(tx, row, null);
    // In the order they are shipped, as callers pick "the first demo case".
    return {
      tenant,
      users: seededUsers.sort((a, b) => userIds.indexOf(a.id) - userIds.indexOf(b.id)),
      caseStudies: cases.sort((a, b) => slugs.indexOf(a.slug) - slugs.indexOf(b.slug)),
    };
  });
}
