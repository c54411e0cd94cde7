/**
 * How a client names a case study (`content_id`): by its id, or by the client's own external id
 * for it. One definition for every query that takes a `content_id` (sessions, staff lists, reports).
 */
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { caseStudies } from './schema.js';

/** `content_id` names this case-study row: its id, or its external id. */
export function namesCase(contentId: string | SQLWrapper): SQL {
  return sql`(${caseStudies.id}::text = ${contentId} or ${caseStudies.externalId} = ${contentId})`;
}

/** The ids of the tenant's case studies a `content_id` names (a subquery); the tenant may be a column. */
export function caseIdsNamed(tenantId: string | SQLWrapper, contentId: string | SQLWrapper): SQL {
  return sql`select ${caseStudies.id} from ${caseStudies} where ${caseStudies.tenantId} = ${tenantId}
    and ${namesCase(contentId)}`;
}
