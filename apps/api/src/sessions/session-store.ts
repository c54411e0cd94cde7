/** The session queries the API runs, each reading like the SQL it sends. */
import {
  attemptGrants,
  caseIdsNamed,
  caseStudies,
  type Database,
  latestVersionId,
  namesCase,
  preparedFor,
  type Session,
  sessionMessages,
  sessions,
  studentAccommodations,
} from '@sp/db';
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { Caller } from '../http/app-context.js';
import { isStaff } from '../http/auth.js';
import { isUuid } from '../http/params.js';

/** The hot queries, prepared once per database handle (see @sp/db prepared.ts); placeholders are bound per call. */
function prepareQueries(db: Database) {
  const id = sql.placeholder('id');
  const tenantId = sql.placeholder('tenantId');
  const userId = sql.placeholder('userId');
  const mine = sql`${sessions.tenantId} = ${tenantId} and ${sessions.userId} = ${userId} and ${sessions.contentId} = ${caseStudies.id}`;
  // Built apart from the select (like `mine`), so their columns are written with their tables.
  const granted = sql`(select coalesce(sum(${attemptGrants.extraAttempts}), 0) from ${attemptGrants}
    where ${attemptGrants.tenantId} = ${tenantId} and ${attemptGrants.userId} = ${userId} and ${attemptGrants.contentId} = ${caseStudies.id})`;
  const accommodation = sql`(select ${studentAccommodations.durationMultiplier} from ${studentAccommodations}
    where ${studentAccommodations.tenantId} = ${tenantId} and ${studentAccommodations.userId} = ${userId})`;
  // An author's preview sessions are no attempts: they neither count nor take a number.
  const attempt = sql`${mine} and not ${sessions.preview}`;
  return {
    ownSession: db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, id), eq(sessions.tenantId, tenantId), eq(sessions.userId, userId)))
      .prepare('own_session'),
    tenantSession: db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, id), eq(sessions.tenantId, tenantId)))
      .prepare('tenant_session'),
    transcript: db
      .select({
        role: sessionMessages.role,
        content: sessionMessages.content,
        sequence: sessionMessages.sequence,
        timestamp: sessionMessages.timestamp,
        channel: sessionMessages.channel,
      })
      .from(sessionMessages)
      .where(eq(sessionMessages.sessionId, id))
      .orderBy(asc(sessionMessages.sequence))
      .prepare('session_transcript'),
    caseStanding: db
      .select({
        id: caseStudies.id,
        durationLimit: caseStudies.durationLimit,
        // The case's limit plus the extra attempts staff granted this student on it.
        maxAttempts: sql<number>`(${caseStudies.maxAttempts} + ${granted})::int`,
        // The student's time accommodation (1: none).
        durationMultiplier: sql<number>`coalesce(${accommodation}, 1)::float8`,
        /** The version a new session pins: the latest published one. */
        versionId: latestVersionId(caseStudies.id),
        activeSessionId: sql<
          string | null
        >`(select ${sessions.id} from ${sessions} where ${mine} and ${sessions.status} <> 'ended' limit 1)`,
        // When the live session is one nobody has joined yet: when its room opened (the pending timeout runs from it).
        activePendingSince: sql<
          string | null
        >`(select ${sessions.roomOpenedAt} from ${sessions} where ${mine} and ${sessions.status} = 'pending' and ${sessions.startTime} is null limit 1)`,
        // A session that never started (pending_timeout) is not an attempt, but keeps its attempt number.
        attemptsUsed: sql<number>`(select count(*)::int from ${sessions} where ${attempt}
          and ${sessions.endReason} is distinct from 'pending_timeout')`,
        lastAttemptNumber: sql<number>`(select coalesce(max(${sessions.attemptNumber}), 0)::int from ${sessions} where ${attempt})`,
      })
      .from(caseStudies)
      .where(
        and(
          // The case's own id or the client's external id for it; an id wins over an external id that spells it.
          namesCase(id),
          eq(caseStudies.tenantId, tenantId),
          eq(caseStudies.published, true),
        ),
      )
      .orderBy(sql`${caseStudies.id}::text = ${id} desc`)
      .limit(1)
      .prepare('case_standing'),
  };
}

const queries = preparedFor(prepareQueries);

/**
 * The session if the caller may see it: their own, or (for staff reading) any
 * of their tenant's. Anything else, existing or not, is simply not there.
 */
export async function visibleSession(
  db: Database,
  caller: Caller,
  sessionId: string,
  access: 'own' | 'read' = 'own',
): Promise<Session | null> {
  if (!isUuid(sessionId)) return null;
  const q = queries(db);
  const [row] =
    access === 'read' && isStaff(caller)
      ? await q.tenantSession.execute({ id: sessionId, tenantId: caller.tenantId })
      : await q.ownSession.execute({ id: sessionId, tenantId: caller.tenantId, userId: caller.userId });
  return row ?? null;
}

/** The saved turns of a session, in `sequence` order. */
export async function transcriptOf(db: Database, sessionId: string) {
  if (!isUuid(sessionId)) return [];
  return queries(db).transcript.execute({ id: sessionId });
}

/**
 * Where the caller stands with a published case study, in one round trip:
 * the case's limits, their live session for it (if any) and how many attempts they used.
 */
export async function caseStanding(db: Database, caller: Caller, caseStudyId: string) {
  const [row] = await queries(db).caseStanding.execute({
    id: caseStudyId,
    tenantId: caller.tenantId,
    userId: caller.userId,
  });
  return row ?? null;
}

/** Does `contentId` (an id or an external id) name this case study of the tenant? */
export async function namesCaseStudy(db: Database, tenantId: string, contentId: string, caseStudyId: string) {
  if (contentId === caseStudyId) return true;
  const rows = await db.execute<{ id: string }>(caseIdsNamed(tenantId, contentId));
  return rows.some((row) => row.id === caseStudyId);
}

export async function listOwnSessions(
  db: Database,
  caller: Caller,
  filter: { contentId?: string; skip: number; limit: number },
) {
  const where = and(
    eq(sessions.tenantId, caller.tenantId),
    eq(sessions.userId, caller.userId),
    filter.contentId ? sql`${sessions.contentId} in (${caseIdsNamed(caller.tenantId, filter.contentId)})` : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(sessions)
      .where(where)
      .orderBy(desc(sessions.createdAt), desc(sessions.id))
      .offset(filter.skip)
      .limit(filter.limit),
    db.select({ total: count() }).from(sessions).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}
