import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { and, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, migrateDatabase, sessionMessages, sessions } from '../src/index.js';

const journal: { entries: unknown[] } = JSON.parse(
  await readFile(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'),
);

const test = await createTestDatabase();
const empty = await createTestDatabase({ empty: true, max: 1 });

/** Everything the migrations define, and their bookkeeping, as text: to compare before and after a second run. */
async function schemaFingerprint(sql: postgres.Sql) {
  const schemas = ['public', 'pgboss', 'drizzle'];
  const columns = await sql`
    select table_schema, table_name, column_name, data_type, column_default, is_nullable
    from information_schema.columns where table_schema in ${sql(schemas)}
    order by 1, 2, 3`;
  const indexes = await sql`
    select schemaname, indexname, indexdef from pg_indexes
    where schemaname in ${sql(schemas)} order by 1, 2`;
  const constraints = await sql`
    select n.nspname, c.conrelid::regclass::text as relation, c.conname, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname in ${sql(schemas)} order by 1, 2, 3`;
  const functions = await sql`
    select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) as args, md5(pg_get_functiondef(p.oid)) as body
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ${sql(schemas)} and p.prokind in ('f', 'p') order by 1, 2, 3`;
  const triggers = await sql`
    select t.tgrelid::regclass::text as relation, t.tgname, pg_get_triggerdef(t.oid) as definition
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and n.nspname in ${sql(schemas)} order by 1, 2`;
  const views = await sql`
    select table_schema, table_name, view_definition from information_schema.views
    where table_schema in ${sql(schemas)} order by 1, 2`;
  const migrations = await sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id`;
  const queueVersion = await sql`select * from pgboss.version`;
  const queues = await sql`select * from pgboss.queue order by name`;
  return {
    text: JSON.stringify({
      columns,
      indexes,
      constraints,
      functions,
      triggers,
      views,
      migrations,
      queueVersion,
      queues,
    }),
    counts: { constraints: constraints.length, functions: functions.length, migrations: migrations.length },
  };
}

describe('migrations', () => {
  it('apply to an empty database, and applying them again changes nothing', async () => {
    const [before] =
      await empty.sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
    expect(before?.n).toBe(0);

    await migrateDatabase(empty.url);
    const tables =
      await empty.sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables.map((t) => t.table_name)).toEqual([
      'attempt_grants',
      'case_studies',
      'case_study_versions',
      'chat_conversations',
      'chat_messages',
      'chat_usage',
      'event_stream_frames',
      'event_streams',
      'grade_reports',
      'livekit_webhook_events',
      'rate_limit_hits',
      'session_messages',
      'session_transcripts',
      'sessions',
      'student_accommodations',
      'tenants',
      'users',
      'verdict_reviews',
    ]);
    const first = await schemaFingerprint(empty.sql);
    // The fingerprint covers what it claims to: every migration, our checks and keys, pg-boss's functions.
    expect(first.counts.migrations).toBe(journal.entries.length);
    expect(first.counts.constraints).toBeGreaterThan(40);
    expect(first.counts.functions).toBeGreaterThan(0);

    await migrateDatabase(empty.url);
    expect((await schemaFingerprint(empty.sql)).text).toBe(first.text);
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

describe('choice columns', () => {
  /** One valid row in each table with a choice column, to be spoiled one column at a time. */
  async function validRows() {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    const session = await insertSession(test.db, { tenantId: tenant.id, userId: 'student-c', contentId: cs.id });
    await test.sql`insert into users (id, tenant_id, role) values (${`user-${session.id}`}, ${tenant.id}, 'student')`;
    await test.sql`insert into session_messages (session_id, sequence, role, content) values (${session.id}, 1, 'assistant', 'Hello')`;
    await test.sql`insert into grade_reports (session_id, tenant_id) values (${session.id}, ${tenant.id})`;
    const [conversation] = await test.sql`
      insert into chat_conversations (tenant_id, user_id) values (${tenant.id}, 'student-c') returning id`;
    await test.sql`
      insert into chat_messages (conversation_id, sequence, role, content, action)
      values (${conversation?.id}, 1, 'user', 'What is HbA1c?', 'explain-concept')`;
    return { session, userId: `user-${session.id}`, conversationId: conversation?.id as string };
  }

  it.each([
    ['session_messages.role', 'system', 'session_messages_role_valid'],
    ['session_messages.channel', 'video', 'session_messages_channel_valid'],
    ['users.role', 'superuser', 'users_role_valid'],
    ['sessions.grading_status', 'done', 'sessions_grading_status_valid'],
    ['sessions.channel', 'video', 'sessions_channel_valid'],
    ['sessions.patient_engine', 'human', 'sessions_patient_engine_valid'],
    ['grade_reports.status', 'queued', 'grade_reports_status_valid'],
    ['grade_reports.grader', 'instructor', 'grade_reports_grader_valid'],
    ['chat_messages.role', 'system', 'chat_messages_role_valid'],
  ])('rejects %s = %j', async (column, value, constraint) => {
    const rows = await validRows();
    const [table = '', name = ''] = column.split('.');
    const keys: Record<string, [string, string]> = {
      session_messages: ['session_id', rows.session.id],
      users: ['id', rows.userId],
      sessions: ['id', rows.session.id],
      grade_reports: ['session_id', rows.session.id],
      chat_messages: ['conversation_id', rows.conversationId],
    };
    const [key, id] = keys[table] ?? ['', ''];

    await expect(
      test.sql`update ${test.sql(table)} set ${test.sql(name)} = ${value} where ${test.sql(key)} = ${id}`,
    ).rejects.toMatchObject({ constraint_name: constraint });
  });

  it('accepts every choice the application uses', async () => {
    const rows = await validRows();
    await test.sql`update sessions set channel = 'text', patient_engine = 'scripted', grading_status = 'completed' where id = ${rows.session.id}`;
    await test.sql`update grade_reports set status = 'completed', grader = 'heuristic' where session_id = ${rows.session.id}`;
    await test.sql`update users set role = 'admin' where id = ${rows.userId}`;
    const [session] =
      await test.sql`select channel, patient_engine, grading_status from sessions where id = ${rows.session.id}`;
    expect(session).toEqual({ channel: 'text', patient_engine: 'scripted', grading_status: 'completed' });
  });

  it('keeps is_active in step with status', async () => {
    const { session } = await validRows();
    await expect(
      test.sql`update sessions set status = 'ended', end_reason = 'user_ended' where id = ${session.id}`,
    ).rejects.toMatchObject({ constraint_name: 'sessions_is_active_matches_status' });
    await expect(test.sql`update sessions set is_active = false where id = ${session.id}`).rejects.toMatchObject({
      constraint_name: 'sessions_is_active_matches_status',
    });

    await test.sql`update sessions set status = 'ended', end_reason = 'user_ended', is_active = false where id = ${session.id}`;
    const [row] = await test.sql`select status, is_active from sessions where id = ${session.id}`;
    expect(row).toEqual({ status: 'ended', is_active: false });
  });
});

describe('tenant consistency', () => {
  it("rejects a session for another tenant's case study", async () => {
    const [mine, theirs] = [await insertTenant(test.db), await insertTenant(test.db)];
    const theirCase = await insertCaseStudy(test.db, theirs.id);

    await expect(
      insertSession(test.db, { tenantId: mine.id, userId: 'student-x', contentId: theirCase.id }),
    ).rejects.toMatchObject({ cause: { constraint_name: 'sessions_case_study_fk' } });
  });

  it("rejects a grade report filed under another tenant than its session's", async () => {
    const [mine, theirs] = [await insertTenant(test.db), await insertTenant(test.db)];
    const cs = await insertCaseStudy(test.db, mine.id);
    const session = await insertSession(test.db, { tenantId: mine.id, userId: 'student-y', contentId: cs.id });

    await expect(
      test.sql`insert into grade_reports (session_id, tenant_id) values (${session.id}, ${theirs.id})`,
    ).rejects.toMatchObject({ constraint_name: 'grade_reports_session_fk' });
  });

  it("refuses to move a case study to another tenant while sessions use it, and deletes a session's report with it", async () => {
    const [mine, theirs] = [await insertTenant(test.db), await insertTenant(test.db)];
    const cs = await insertCaseStudy(test.db, mine.id);
    const session = await insertSession(test.db, { tenantId: mine.id, userId: 'student-z', contentId: cs.id });
    await test.sql`insert into grade_reports (session_id, tenant_id) values (${session.id}, ${mine.id})`;

    await expect(test.sql`update case_studies set tenant_id = ${theirs.id} where id = ${cs.id}`).rejects.toMatchObject({
      constraint_name: 'sessions_case_study_fk',
    });
    await test.sql`delete from sessions where id = ${session.id}`;
    const [left] = await test.sql`select count(*)::int as n from grade_reports where session_id = ${session.id}`;
    expect(left?.n).toBe(0);
  });
});

describe('staff rows', () => {
  async function endedSession() {
    const tenant = await insertTenant(test.db);
    const cs = await insertCaseStudy(test.db, tenant.id);
    const session = await insertSession(test.db, { tenantId: tenant.id, userId: 'student-s', contentId: cs.id });
    return { tenant, cs, session };
  }

  it('records who ended a staff_ended session, and only then', async () => {
    const { session } = await endedSession();
    const end = (reason: string, by: string | null) =>
      test.sql`update sessions set status = 'ended', is_active = false, end_reason = ${reason}, ended_by = ${by} where id = ${session.id}`;
    await expect(end('staff_ended', null)).rejects.toMatchObject({ constraint_name: 'sessions_ended_by_staff' });
    await expect(end('user_ended', 'ines')).rejects.toMatchObject({ constraint_name: 'sessions_ended_by_staff' });
    await end('staff_ended', 'ines');
  });

  it('keeps a confirmation in agreement with the grader, and a correction with its note', async () => {
    const { tenant, session } = await endedSession();
    const review = (action: string, graderVerdict: string, verdict: string, note: string | null) =>
      test.sql`insert into verdict_reviews (tenant_id, session_id, item_id, action, grader, grader_verdict, verdict, note, reviewed_by, graded_at)
        values (${tenant.id}, ${session.id}, 'intro', ${action}, 'model', ${graderVerdict}, ${verdict}, ${note}, 'ines', now())`;
    await expect(review('confirm', 'met', 'not_met', null)).rejects.toMatchObject({
      constraint_name: 'verdict_reviews_confirm_agrees',
    });
    await expect(review('correct', 'met', 'not_met', null)).rejects.toMatchObject({
      constraint_name: 'verdict_reviews_correct_has_note',
    });
    await review('correct', 'met', 'not_met', 'Never introduced themselves');
    await review('confirm', 'met', 'met', null);
  });

  it('bounds a time accommodation to 1–4 and a grant to at least one attempt', async () => {
    const { tenant, cs } = await endedSession();
    await expect(
      test.sql`insert into student_accommodations (tenant_id, user_id, duration_multiplier, set_by) values (${tenant.id}, 'sam', 0.5, 'ines')`,
    ).rejects.toMatchObject({ constraint_name: 'student_accommodations_multiplier_range' });
    await expect(
      test.sql`insert into attempt_grants (tenant_id, user_id, content_id, extra_attempts, granted_by) values (${tenant.id}, 'sam', ${cs.id}, 0, 'ines')`,
    ).rejects.toMatchObject({ constraint_name: 'attempt_grants_extra_positive' });
  });
});
