/**
 * Case authoring's database side. An authored case is its row (the columns are what students get:
 * the latest published version, or the draft never published) plus `draft`, the author's edits not
 * yet published. Publishing writes the working copy into the columns and records a version, in one
 * transaction with the row locked; versions are never updated.
 */
import {
  type CaseStudyContent,
  type CaseStudyStatus,
  type CaseVersionContent,
  contentChanges,
  DomainError,
} from '@sp/core';
import {
  type CaseStudy,
  type CaseStudyVersion,
  caseStudies,
  caseStudyVersions,
  type Database,
  endSession,
  recordPreviewVersion,
  recordPublishedVersion,
  type Session,
  sessions,
  versionContentOf,
  withoutPublished,
} from '@sp/db';
import { and, asc, desc, eq, isNotNull, ne, or, sql } from 'drizzle-orm';
import type { Caller } from '../http/app-context.js';
import { newRoomName } from '../http/livekit.js';
import { isUuid } from '../http/params.js';

export interface AuthoredRow {
  row: CaseStudy;
  /** The latest published version, or null before the first publish. */
  latest: Pick<CaseStudyVersion, 'number' | 'content'> | null;
}

/** What the author last saved. */
export const workingCopy = (row: CaseStudy): CaseVersionContent => row.draft ?? versionContentOf(row);

export function statusOf({ row, latest }: AuthoredRow): CaseStudyStatus {
  if (row.archivedAt) return 'archived';
  if (row.published) return 'published';
  return latest ? 'unpublished' : 'draft';
}

export const hasUnpublishedChanges = ({ row, latest }: AuthoredRow) =>
  !latest || contentChanges(latest.content, workingCopy(row)).length > 0;

const latestContent = sql<CaseVersionContent | null>`(select v.content from ${caseStudyVersions} v
  where v.case_study_id = ${caseStudies}.id and v.number is not null order by v.number desc limit 1)`;
const latestNumber = sql<number | null>`(select max(v.number) from ${caseStudyVersions} v
  where v.case_study_id = ${caseStudies}.id)`;

function authored(r: { row: CaseStudy; latestNumber: number | null; latestContent: CaseVersionContent | null }) {
  return {
    row: r.row,
    latest: r.latestNumber !== null && r.latestContent ? { number: r.latestNumber, content: r.latestContent } : null,
  };
}

export async function listAuthored(db: Database, caller: Caller): Promise<AuthoredRow[]> {
  const rows = await db
    .select({ row: caseStudies, latestNumber, latestContent })
    .from(caseStudies)
    .where(eq(caseStudies.tenantId, caller.tenantId))
    .orderBy(asc(caseStudies.title), asc(caseStudies.id));
  return rows.map(authored);
}

/** One case of the caller's tenant; another tenant's, or none, is simply not there. */
export async function findAuthored(db: Database, caller: Caller, caseId: string): Promise<AuthoredRow | null> {
  if (!isUuid(caseId)) return null;
  const [row] = await db
    .select({ row: caseStudies, latestNumber, latestContent })
    .from(caseStudies)
    .where(and(eq(caseStudies.id, caseId), eq(caseStudies.tenantId, caller.tenantId)));
  return row ? authored(row) : null;
}

export async function findBySlug(db: Database, caller: Caller, slug: string): Promise<AuthoredRow | null> {
  const [row] = await db
    .select({ row: caseStudies, latestNumber, latestContent })
    .from(caseStudies)
    .where(and(eq(caseStudies.slug, slug), eq(caseStudies.tenantId, caller.tenantId)));
  return row ? authored(row) : null;
}

const notFoundCase = () => new DomainError('NOT_FOUND', 'Case study not found');
const archived = () => new DomainError('CASE_ARCHIVED', 'This case study is archived and can no longer change');
const slugTaken = (slug: string) =>
  new DomainError('VALIDATION_ERROR', 'Invalid request: slug', {
    fields: [{ field: 'slug', in: 'body', message: `another case study of your tenant already uses the slug ${slug}` }],
  });

/** Is the slug another case's, as published or as a draft? */
async function slugUsedElsewhere(db: Pick<Database, 'select'>, tenantId: string, slug: string, caseId?: string) {
  const [hit] = await db
    .select({ id: caseStudies.id })
    .from(caseStudies)
    .where(
      and(
        eq(caseStudies.tenantId, tenantId),
        caseId ? ne(caseStudies.id, caseId) : undefined,
        or(eq(caseStudies.slug, slug), sql`${caseStudies.draft}->>'slug' = ${slug}`),
      ),
    )
    .limit(1);
  return Boolean(hit);
}

export async function createDraft(db: Database, caller: Caller, content: CaseStudyContent): Promise<CaseStudy> {
  return db.transaction(async (tx) => {
    // One author at a time may claim a slug in the tenant: the advisory lock makes the check and insert one step.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`case-slug:${caller.tenantId}`}))`);
    if (await slugUsedElsewhere(tx, caller.tenantId, content.slug)) throw slugTaken(content.slug);
    const [row] = await tx
      .insert(caseStudies)
      .values({ ...withoutPublished(content), tenantId: caller.tenantId, published: false })
      .returning();
    if (!row) throw new Error('case study insert returned no row');
    return row;
  });
}

/** Runs `change` on the case's locked row, in one transaction; archived cases refuse every change. */
async function withLockedCase<T>(
  db: Database,
  caller: Caller,
  caseId: string,
  change: (tx: Database, row: CaseStudy) => Promise<T>,
): Promise<T> {
  if (!isUuid(caseId)) throw notFoundCase();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(caseStudies)
      .where(and(eq(caseStudies.id, caseId), eq(caseStudies.tenantId, caller.tenantId)))
      .for('update');
    if (!row) throw notFoundCase();
    if (row.archivedAt) throw archived();
    return change(tx as unknown as Database, row);
  });
}

/** Saves the working copy (not yet what students get: that waits for a publish). */
export async function saveDraft(db: Database, caller: Caller, caseId: string, content: CaseStudyContent) {
  return withLockedCase(db, caller, caseId, async (tx, row) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`case-slug:${caller.tenantId}`}))`);
    if (await slugUsedElsewhere(tx, caller.tenantId, content.slug, row.id)) throw slugTaken(content.slug);
    await tx
      .update(caseStudies)
      .set({ draft: withoutPublished(content), updatedAt: sql`now()` })
      .where(eq(caseStudies.id, row.id));
  });
}

/** The working copy becomes what students get, and (when it changed) the next version. */
export async function publish(db: Database, caller: Caller, caseId: string): Promise<CaseStudyVersion> {
  return withLockedCase(db, caller, caseId, async (tx, row) => {
    const [updated] = await tx
      .update(caseStudies)
      .set({ ...workingCopy(row), draft: null, published: true, updatedAt: sql`now()` })
      .where(eq(caseStudies.id, row.id))
      .returning();
    if (!updated) throw notFoundCase();
    return recordPublishedVersion(tx, updated, caller.userId);
  });
}

export async function setUnpublished(db: Database, caller: Caller, caseId: string, archive: boolean) {
  return withLockedCase(db, caller, caseId, async (tx, row) => {
    await tx
      .update(caseStudies)
      .set({ published: false, ...(archive && { archivedAt: sql`now()` }), updatedAt: sql`now()` })
      .where(eq(caseStudies.id, row.id));
  });
}

export async function listVersions(db: Database, caseId: string): Promise<CaseStudyVersion[]> {
  return db
    .select()
    .from(caseStudyVersions)
    .where(and(eq(caseStudyVersions.caseStudyId, caseId), isNotNull(caseStudyVersions.number)))
    .orderBy(desc(caseStudyVersions.number));
}

export async function versionByNumber(db: Database, caseId: string, number: number) {
  const [row] = await db
    .select()
    .from(caseStudyVersions)
    .where(and(eq(caseStudyVersions.caseStudyId, caseId), eq(caseStudyVersions.number, number)));
  return row ?? null;
}

/**
 * A preview: a text session for the author on a snapshot of the working copy. It takes no attempt
 * number and counts none; a live preview of theirs on the case is ended (and graded) first.
 */
export async function startPreview(db: Database, caller: Caller, caseId: string): Promise<Session> {
  const found = await findAuthored(db, caller, caseId);
  if (!found) throw notFoundCase();
  const [live] = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.tenantId, caller.tenantId),
        eq(sessions.userId, caller.userId),
        eq(sessions.contentId, found.row.id),
        ne(sessions.status, 'ended'),
      ),
    );
  if (live && !live.preview) {
    throw new DomainError('SESSION_ACTIVE', 'You already have an active session for this case study', {
      session_id: live.id,
    });
  }
  if (live) await endSession(db, live.id, 'user_ended');
  // A second "Try it" racing this one loses at the one-live-session index: the same answer as a live session.
  const raced = (error: unknown) => {
    for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
      if ((e as { constraint_name?: string }).constraint_name === 'sessions_one_active_per_user_case') {
        throw new DomainError('SESSION_ACTIVE', 'A preview of this case study is starting already', {});
      }
    }
    throw error;
  };
  return withLockedCase(db, caller, caseId, async (tx, row) => {
    const content = workingCopy(row);
    const version = await recordPreviewVersion(tx, row, content, caller.userId);
    const [session] = await tx
      .insert(sessions)
      .values({
        tenantId: caller.tenantId,
        userId: caller.userId,
        contentId: row.id,
        caseStudyVersionId: version.id,
        preview: true,
        attemptNumber: 0,
        channel: 'text',
        durationLimit: content.durationLimit,
        roomName: newRoomName(),
        metadata: { preview: true },
      })
      .returning();
    if (!session) throw new Error('preview session insert returned no row');
    return session;
  }).catch(raced);
}
