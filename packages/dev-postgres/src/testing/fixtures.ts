/** Rows for tests, with sensible defaults that each test overrides where it matters. */
import { randomBytes, randomUUID } from 'node:crypto';
import { roomNameFrom } from '@sp/core';
import {
  caseStudies,
  type Database,
  latestVersionId,
  recordPublishedVersion,
  type Session,
  sessions,
  tenants,
  users,
} from '@sp/db';
import { seedCaseStudies } from '@sp/db/seed-cases';
import { sql } from 'drizzle-orm';

export async function insertTenant(db: Database, slug = `t-${randomBytes(4).toString('hex')}`) {
  const [row] = await db
    .insert(tenants)
    .values({ slug, name: `Tenant ${slug}` })
    .returning();
  if (!row) throw new Error('tenant not inserted');
  return row;
}

export async function insertUser(
  db: Database,
  tenantId: string,
  role: 'student' | 'instructor' | 'admin' = 'student',
  id = `${role}-${randomBytes(4).toString('hex')}`,
) {
  const [row] = await db.insert(users).values({ id, tenantId, role, name: id }).returning();
  if (!row) throw new Error('user not inserted');
  return row;
}

/** A published case study built from a seeded case (the first by default). */
export async function insertCaseStudy(
  db: Database,
  tenantId: string,
  overrides: Partial<typeof caseStudies.$inferInsert> = {},
  template = seedCaseStudies[0],
) {
  if (!template) throw new Error('no seeded case study');
  const [row] = await db
    .insert(caseStudies)
    .values({
      slug: `${template.slug}-${randomBytes(3).toString('hex')}`,
      title: template.title,
      description: template.description,
      persona: template.persona,
      facts: template.facts.map((f) => ({ keywords: [], ...f })),
      instructions: template.instructions ?? '',
      rubric: template.rubric.map((r) => ({ cues: [], ...r })),
      durationLimit: 600,
      maxAttempts: 3,
      published: true,
      ...overrides,
      tenantId,
    })
    .returning();
  if (!row) throw new Error('case study not inserted');
  // Sessions pin a version: the case as inserted is its version 1 (published or not, so tests may start sessions on it).
  await recordPublishedVersion(db, row, null);
  return row;
}

export async function insertSession(
  db: Database,
  fields: Pick<Session, 'tenantId' | 'userId' | 'contentId'> & Partial<typeof sessions.$inferInsert>,
) {
  const [{ next } = { next: 1 }] = await db
    .select({ next: sql<number>`coalesce(max(${sessions.attemptNumber}), 0)::int + 1` })
    .from(sessions)
    .where(
      sql`${sessions.tenantId} = ${fields.tenantId} and ${sessions.userId} = ${fields.userId} and ${sessions.contentId} = ${fields.contentId}`,
    );
  const [row] = await db
    .insert(sessions)
    .values({
      id: randomUUID(),
      roomName: roomNameFrom(randomBytes(6)),
      attemptNumber: next,
      isActive: fields.status !== 'ended',
      caseStudyVersionId: latestVersionId(fields.contentId),
      ...fields,
    })
    .returning();
  if (!row) throw new Error('session not inserted');
  return row;
}

/** Is a process (say a postmaster) still running? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
