import { and, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { migrateDatabase, sessionMessages, sessions, withDatabase } from '../src/index.js';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '../src/testing/index.js';

const test = await createTestDatabase();

/** Everything the migrations define, as text, to compare before and after a second run. */
async function schemaFingerprint(sql: postgres.Sql) {
  const columns = await sql`
    select table_schema, table_name, column_name, data_type, column_default, is_nullable
    from information_schema.columns where table_schema in ('public', 'pgboss')
    order by 1, 2, 3`;
  const indexes = await sql`
    select schemaname, indexname, indexdef from pg_indexes
    where schemaname in ('public', 'pgboss') order by 1, 2`;
  const views =
    await sql`select table_name, view_definition from information_schema.views where table_schema = 'public'`;
  const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
  return JSON.stringify({ columns, indexes, views, applied });
}

describe('migrations', () => {
  it('apply to an empty database, and applying them again changes nothing', async () => {
    const admin = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
    const name = `sp_empty_${Date.now()}`;
    await admin.unsafe(`create database ${name}`);
    const url = withDatabase(inject('pgServerUrl'), name);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [before] =
        await sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
      expect(before?.n).toBe(0);

      await migrateDatabase(url);
      const tables =
        await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      expect(tables.map((t) => t.table_name)).toEqual([
        'case_studies',
        'chat_conversations',
        'chat_messages',
        'chat_usage',
        'grade_reports',
        'session_messages',
        'session_transcripts',
        'sessions',
        'tenants',
        'users',
      ]);
      const first = await schemaFingerprint(sql);

      await migrateDatabase(url);
      expect(await schemaFingerprint(sql)).toBe(first);
    } finally {
      await sql.end();
      await admin.unsafe(`drop database ${name} with (force)`);
      await admin.end();
    }
  });
});

describe('sessions table', () => {
  it('rejects a second live session for the same tenant, user and case', async () => {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    const key = { tenantId: tenant.id, userId: 'student-1', contentId: cs.id };
    await insertSession(test.db, { ...key, status: 'active' });

    await expect(insertSession(test.db, { ...key, status: 'pending' })).rejects.toMatchObject({
      cause: { constraint_name: 'sessions_one_active_per_user_case' },
    });
  });

  it('accepts a new live session once the earlier one has ended', async () => {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    const key = { tenantId: tenant.id, userId: 'student-2', contentId: cs.id };
    await insertSession(test.db, { ...key, status: 'ended', endReason: 'user_ended', isActive: false });
    await insertSession(test.db, { ...key, status: 'active' });

    const rows = await test.db
      .select({ status: sessions.status })
      .from(sessions)
      .where(and(eq(sessions.tenantId, tenant.id), eq(sessions.userId, 'student-2')));
    expect(rows.map((r) => r.status).sort()).toEqual(['active', 'ended']);
  });

  it('allows the same student a live session in another tenant', async () => {
    const [a, b] = [await insertTenant(test.db), await insertTenant(test.db)];
    const [ca, cb] = [await insertCaseStudy(test.db, a.id), await insertCaseStudy(test.db, b.id)];
    await insertSession(test.db, { tenantId: a.id, userId: 'shared-sub', contentId: ca.id, status: 'active' });
    await insertSession(test.db, { tenantId: b.id, userId: 'shared-sub', contentId: cb.id, status: 'active' });
    const rows = await test.db.select().from(sessions).where(eq(sessions.userId, 'shared-sub'));
    expect(rows).toHaveLength(2);
  });

  it('refuses an ended session without an end reason', async () => {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    await expect(
      insertSession(test.db, { tenantId: tenant.id, userId: 'student-3', contentId: cs.id, status: 'ended' }),
    ).rejects.toMatchObject({ cause: { constraint_name: 'sessions_ended_has_reason' } });
  });
});

describe('session_messages table', () => {
  it('rejects a duplicate (session_id, sequence)', async () => {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    const session = await insertSession(test.db, { tenantId: tenant.id, userId: 'student-4', contentId: cs.id });
    await test.db
      .insert(sessionMessages)
      .values({ sessionId: session.id, sequence: 1, role: 'assistant', content: 'Hello' });

    await expect(
      test.db.insert(sessionMessages).values({ sessionId: session.id, sequence: 1, role: 'user', content: 'Hi' }),
    ).rejects.toMatchObject({ cause: { constraint_name: 'session_messages_session_sequence_key' } });
    const rows = await test.db.select().from(sessionMessages).where(eq(sessionMessages.sessionId, session.id));
    expect(rows.map((r) => r.content)).toEqual(['Hello']);
  });

  it('shows each turn in the session_transcripts view with its case and student', async () => {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    const session = await insertSession(test.db, { tenantId: tenant.id, userId: 'student-5', contentId: cs.id });
    await test.db.insert(sessionMessages).values([
      { sessionId: session.id, sequence: 1, role: 'assistant', content: 'Hello doctor' },
      { sessionId: session.id, sequence: 2, role: 'user', content: 'What brings you in?' },
    ]);
    const rows = await test.sql`
      select sequence, role, content, case_study_title, tenant_slug
      from session_transcripts where session_id = ${session.id} order by sequence`;
    expect(rows.map((r) => [r.sequence, r.role, r.content, r.case_study_title, r.tenant_slug])).toEqual([
      [1, 'assistant', 'Hello doctor', cs.title, tenant.slug],
      [2, 'user', 'What brings you in?', cs.title, tenant.slug],
    ]);
  });
});
