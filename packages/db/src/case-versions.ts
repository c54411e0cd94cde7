/**
 * Case-study versions: a publish records what the case says as an immutable row, and a session
 * reads the version it pinned at initialize (never the live case row, which authors may edit).
 */
import type { CaseStudyContent, CaseVersionContent } from '@sp/core';
import { and, Column, desc, eq, getTableName, is, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './client.js';
import { type CaseStudy, type CaseStudyVersion, caseStudies, caseStudyVersions, type Session } from './schema.js';

/** The database or a transaction on it. */
type Db = Pick<Database, 'select' | 'insert' | 'execute'>;

/** The content of a case row's columns, as a version keeps it. */
export function versionContentOf(
  row: Pick<CaseStudy, 'slug' | 'title' | 'description' | 'persona' | 'facts' | 'instructions' | 'rubric'> &
    Pick<CaseStudy, 'durationLimit' | 'maxAttempts'>,
): CaseVersionContent {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    persona: row.persona,
    facts: row.facts,
    instructions: row.instructions,
    rubric: row.rubric,
    durationLimit: row.durationLimit,
    maxAttempts: row.maxAttempts,
  };
}

/** A content document without its `published` flag. */
export function withoutPublished({ published: _, ...content }: CaseStudyContent): CaseVersionContent {
  return content;
}

/** `select id of the case's latest published version` (of a case id or a column), for a statement that pins it. */
export function latestVersionId(caseId: AnyPgColumn | SQL | string): SQL<string | null> {
  // Spelled out with its table: drizzle leaves a column of a one-table select unqualified, which here would mean the version's.
  const id =
    typeof caseId === 'string'
      ? sql`${caseId}::uuid`
      : is(caseId, Column)
        ? sql`${sql.identifier(getTableName(caseId.table))}.${sql.identifier(caseId.name)}`
        : caseId;
  return sql`(select v.id from ${caseStudyVersions} v
    where v.case_study_id = ${id} and v.number is not null order by v.number desc limit 1)`;
}

/**
 * Records the case row's columns as its next published version, unless its latest version already
 * says exactly that (publishing again after an unpublish is not a change). Run it in the transaction
 * that wrote the columns, with the case row locked, so two publishes never race for a number.
 */
export async function recordPublishedVersion(
  db: Db,
  row: CaseStudy,
  createdBy: string | null,
): Promise<CaseStudyVersion> {
  const content = versionContentOf(row);
  const [latest] = await db
    .select({
      version: caseStudyVersions,
      same: sql<boolean>`${caseStudyVersions.content} = ${JSON.stringify(content)}::jsonb`,
    })
    .from(caseStudyVersions)
    .where(and(eq(caseStudyVersions.caseStudyId, row.id), isNotNull(caseStudyVersions.number)))
    .orderBy(desc(caseStudyVersions.number))
    .limit(1);
  if (latest?.same) return latest.version;
  const [version] = await db
    .insert(caseStudyVersions)
    .values({
      tenantId: row.tenantId,
      caseStudyId: row.id,
      number: (latest?.version.number ?? 0) + 1,
      content,
      createdBy,
    })
    .returning();
  if (!version) throw new Error('case study version insert returned no row');
  return version;
}

/** A snapshot of a working copy for an author's preview session: a version without a number. */
export async function recordPreviewVersion(
  db: Db,
  row: Pick<CaseStudy, 'id' | 'tenantId'>,
  content: CaseVersionContent,
  createdBy: string,
): Promise<CaseStudyVersion> {
  const [version] = await db
    .insert(caseStudyVersions)
    .values({ tenantId: row.tenantId, caseStudyId: row.id, number: null, content, createdBy })
    .returning();
  if (!version) throw new Error('case study preview version insert returned no row');
  return version;
}

/** The session's case as it was when the session started: the case row with its pinned version's content. */
export async function pinnedCaseStudy(
  db: Pick<Database, 'select'>,
  session: Pick<Session, 'tenantId' | 'contentId' | 'caseStudyVersionId'>,
): Promise<CaseStudy | null> {
  const [row] = await db
    .select({ caseStudy: caseStudies, content: caseStudyVersions.content })
    .from(caseStudies)
    .innerJoin(
      caseStudyVersions,
      and(eq(caseStudyVersions.caseStudyId, caseStudies.id), eq(caseStudyVersions.tenantId, caseStudies.tenantId)),
    )
    .where(
      and(
        eq(caseStudies.id, session.contentId),
        eq(caseStudies.tenantId, session.tenantId),
        eq(caseStudyVersions.id, session.caseStudyVersionId),
      ),
    );
  return row ? { ...row.caseStudy, ...row.content } : null;
}
