/**
 * What staff keep per student: extra attempts granted on a case, and a time accommodation. Both are read
 * by the session start (sessions/session-store.ts `caseStanding`), which is what makes them take effect.
 */
import type { Accommodation, AttemptStanding } from '@sp/core';
import {
  attemptGrants,
  caseStudies,
  type Database,
  namesCase,
  type StudentAccommodation,
  sessions,
  studentAccommodations,
  users,
} from '@sp/db';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';

/** The tenant's case study a `content_id` names (its id, or its external id; the id wins). */
export async function caseNamed(db: Database, tenantId: string, contentId: string) {
  const [row] = await db
    .select({
      id: caseStudies.id,
      title: caseStudies.title,
      maxAttempts: caseStudies.maxAttempts,
      rubric: caseStudies.rubric,
    })
    .from(caseStudies)
    .where(and(eq(caseStudies.tenantId, tenantId), namesCase(contentId)))
    .orderBy(sql`${caseStudies.id}::text = ${contentId} desc`)
    .limit(1);
  return row ?? null;
}

/** The titles of some of the tenant's case studies, by id. */
export async function caseTitles(db: Database, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: caseStudies.id, title: caseStudies.title })
    .from(caseStudies)
    .where(and(eq(caseStudies.tenantId, tenantId), inArray(caseStudies.id, ids)));
  return new Map(rows.map((row) => [row.id, row.title]));
}

/** Sessions that count as an attempt: not the ones that never started, nor an author's previews. */
export const countsAsAttempt = sql`${sessions.endReason} is distinct from 'pending_timeout' and not ${sessions.preview}`;

/** A student's attempts on each case they used or were granted attempts on (or on one case). */
export async function attemptStandings(
  db: Database,
  tenantId: string,
  userId: string,
  contentId?: string,
): Promise<(AttemptStanding & { best_score: number | null; latest_score: number | null })[]> {
  const granted = sql`(select coalesce(sum(${attemptGrants.extraAttempts}), 0)::int from ${attemptGrants}
    where ${attemptGrants.tenantId} = ${tenantId} and ${attemptGrants.userId} = ${userId}
    and ${attemptGrants.contentId} = ${caseStudies.id})`;
  const mine = sql`${sessions.tenantId} = ${tenantId} and ${sessions.userId} = ${userId} and ${sessions.contentId} = ${caseStudies.id}`;
  // Aliased: drizzle names a single-table select's columns bare, which a join inside would make ambiguous.
  const completedOfMine = sql`grade_reports r join sessions s on s.id = r.session_id
    where s.tenant_id = ${tenantId} and s.user_id = ${userId} and s.content_id = ${caseStudies.id} and r.status = 'completed'`;
  const rows = await db
    .select({
      contentId: caseStudies.id,
      caseTitle: caseStudies.title,
      maxAttempts: caseStudies.maxAttempts,
      extra: sql<number>`${granted}`,
      used: sql<number>`(select count(*)::int from ${sessions} where ${mine} and ${countsAsAttempt})`,
      best: sql<number | null>`(select max(r.score) from ${completedOfMine})`,
      latest: sql<number | null>`(select r.score from ${completedOfMine} order by s.created_at desc limit 1)`,
    })
    .from(caseStudies)
    .where(
      and(
        eq(caseStudies.tenantId, tenantId),
        contentId
          ? eq(caseStudies.id, contentId)
          : sql`(exists (select 1 from ${sessions} where ${mine}) or ${granted} > 0)`,
      ),
    )
    .orderBy(caseStudies.title);
  return rows.map((r) => ({
    user_id: userId,
    content_id: r.contentId,
    case_title: r.caseTitle,
    max_attempts: r.maxAttempts,
    extra_attempts: r.extra,
    attempts_allowed: r.maxAttempts + r.extra,
    attempts_used: r.used,
    best_score: r.best,
    latest_score: r.latest,
  }));
}

export async function grantAttempts(
  db: Database,
  grant: {
    tenantId: string;
    userId: string;
    contentId: string;
    extraAttempts: number;
    note?: string;
    grantedBy: string;
  },
) {
  await db.insert(attemptGrants).values({ ...grant, note: grant.note ?? null });
}

export async function grantsOf(db: Database, tenantId: string, userId: string) {
  const rows = await db
    .select()
    .from(attemptGrants)
    .where(and(eq(attemptGrants.tenantId, tenantId), eq(attemptGrants.userId, userId)))
    .orderBy(desc(attemptGrants.createdAt));
  return rows.map((g) => ({
    content_id: g.contentId,
    extra_attempts: g.extraAttempts,
    note: g.note,
    granted_by: g.grantedBy,
    created_at: g.createdAt.toISOString(),
  }));
}

function accommodationView(userId: string, row: StudentAccommodation | undefined): Accommodation {
  return {
    user_id: userId,
    duration_multiplier: row?.durationMultiplier ?? 1,
    note: row?.note ?? null,
    set_by: row?.setBy ?? null,
    updated_at: row?.updatedAt.toISOString() ?? null,
  };
}

export async function accommodationOf(db: Database, tenantId: string, userId: string): Promise<Accommodation> {
  const [row] = await db
    .select()
    .from(studentAccommodations)
    .where(and(eq(studentAccommodations.tenantId, tenantId), eq(studentAccommodations.userId, userId)));
  return accommodationView(userId, row);
}

export async function setAccommodation(
  db: Database,
  set: { tenantId: string; userId: string; durationMultiplier: number; note?: string; setBy: string },
): Promise<Accommodation> {
  const values = { ...set, note: set.note ?? null };
  const [row] = await db
    .insert(studentAccommodations)
    .values(values)
    .onConflictDoUpdate({
      target: [studentAccommodations.tenantId, studentAccommodations.userId],
      set: {
        durationMultiplier: values.durationMultiplier,
        note: values.note,
        setBy: values.setBy,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return accommodationView(set.userId, row);
}

export async function clearAccommodation(db: Database, tenantId: string, userId: string): Promise<Accommodation> {
  await db
    .delete(studentAccommodations)
    .where(and(eq(studentAccommodations.tenantId, tenantId), eq(studentAccommodations.userId, userId)));
  return accommodationView(userId, undefined);
}

/**
 * The tenant's students: registered student users, and anyone with a session, a grant or an accommodation.
 * A name staff may look up is one of these; anyone else is not there (404).
 */
function studentIds(tenantId: string) {
  return sql`select ${users.id} as user_id from ${users} where ${users.tenantId} = ${tenantId} and ${users.role} = 'student'
    union select ${sessions.userId} from ${sessions} where ${sessions.tenantId} = ${tenantId} and not ${sessions.preview}
    union select ${attemptGrants.userId} from ${attemptGrants} where ${attemptGrants.tenantId} = ${tenantId}
    union select ${studentAccommodations.userId} from ${studentAccommodations} where ${studentAccommodations.tenantId} = ${tenantId}`;
}

export async function listStudents(db: Database, tenantId: string, page: { skip: number; limit: number }) {
  const rows = await db.execute<{
    user_id: string;
    name: string | null;
    email: string | null;
    sessions: number;
    last_session_at: string | null;
    duration_multiplier: number;
    total: number;
  }>(sql`
    select s.user_id, u.name, u.email,
      (select count(*)::int from ${sessions} where ${sessions.tenantId} = ${tenantId} and ${sessions.userId} = s.user_id
        and not ${sessions.preview}) as sessions,
      (select max(${sessions.createdAt}) from ${sessions} where ${sessions.tenantId} = ${tenantId} and ${sessions.userId} = s.user_id
        and not ${sessions.preview}) as last_session_at,
      coalesce(a.duration_multiplier, 1)::float8 as duration_multiplier,
      count(*) over ()::int as total
    from (${studentIds(tenantId)}) s
    left join ${users} u on u.id = s.user_id and u.tenant_id = ${tenantId}
    left join ${studentAccommodations} a on a.tenant_id = ${tenantId} and a.user_id = s.user_id
    order by last_session_at desc nulls last, s.user_id
    offset ${page.skip} limit ${page.limit}`);
  const total = rows[0]?.total ?? (page.skip > 0 ? await countStudents(db, tenantId) : 0);
  const data = rows.map(({ total: _total, last_session_at, ...row }) => ({
    ...row,
    last_session_at: last_session_at ? new Date(last_session_at).toISOString() : null,
  }));
  return { data, total };
}

async function countStudents(db: Database, tenantId: string): Promise<number> {
  const [row] = await db.execute<{ total: number }>(
    sql`select count(*)::int as total from (${studentIds(tenantId)}) s`,
  );
  return row?.total ?? 0;
}

/** The student's name and email when registered; null when the tenant knows no such student. */
export async function studentNamed(db: Database, tenantId: string, userId: string) {
  const [row] = await db.execute<{ user_id: string; name: string | null; email: string | null }>(sql`
    select s.user_id, u.name, u.email from (${studentIds(tenantId)}) s
    left join ${users} u on u.id = s.user_id and u.tenant_id = ${tenantId}
    where s.user_id = ${userId}`);
  return row ?? null;
}
