/** Sessions to run the patient job on, and what the tests read back about them. */
import { type Database, type Session, sessions } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant, type TestDatabase } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';

export async function newSession(db: Database, fields: Partial<typeof sessions.$inferInsert> = {}): Promise<Session> {
  const tenant = await insertTenant(db);
  const cs = await insertCaseStudy(db, tenant.id);
  return insertSession(db, { tenantId: tenant.id, userId: 'student', contentId: cs.id, ...fields });
}

export async function sessionRow(db: Database, id: string): Promise<Session> {
  const [found] = await db.select().from(sessions).where(eq(sessions.id, id));
  if (!found) throw new Error('session vanished');
  return found;
}

export async function gradingJobs(test: TestDatabase, sessionId: string): Promise<number> {
  const [{ n } = { n: -1 }] =
    await test.sql`select count(*)::int as n from pgboss.job where name = 'grading' and data->>'sessionId' = ${sessionId}`;
  return n;
}
