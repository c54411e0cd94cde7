/**
 * Case authoring's answers (`/v1/authoring/cases`): an authored case is its working copy as a
 * content document (the format of `content/cases/*.json`, import and export), where it stands,
 * and its published versions.
 */
import { z } from 'zod';
import { caseStudyContentSchema, caseStudyStatuses } from '../case-study.js';

/** The content document, as import and export carry it and as create and update take it. */
export const caseDocumentSchema = caseStudyContentSchema.meta({
  id: 'CaseDocument',
  description:
    'One case study in the content-file format (camelCase, as content/cases/*.json); `published` says whether an import publishes it',
});

const contentOutSchema = z.record(z.string(), z.unknown()).meta({
  description: 'The case as a content document without `published` (see CaseDocument)',
});

export const caseVersionSummarySchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    created_by: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'CaseVersionSummary' });
export type CaseVersionSummary = z.infer<typeof caseVersionSummarySchema>;

export const caseVersionSchema = caseVersionSummarySchema
  .extend({ content: contentOutSchema })
  .meta({ id: 'CaseVersion', description: 'A published version: immutable; sessions that started on it read it' });
export type CaseVersion = z.infer<typeof caseVersionSchema>;

export const authoredCaseSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(caseStudyStatuses),
    /** The working copy: what the author last saved. */
    content: contentOutSchema,
    /** The latest published version's number, or null before the first publish. */
    latest_version: z.number().int().nullable(),
    /** The working copy differs from the latest published version. */
    unpublished_changes: z.boolean(),
    archived_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'AuthoredCase' });
export type AuthoredCase = z.infer<typeof authoredCaseSchema>;

export const authoredCaseSummarySchema = authoredCaseSchema
  .omit({ content: true })
  .extend({ slug: z.string(), title: z.string() })
  .meta({ id: 'AuthoredCaseSummary' });
export type AuthoredCaseSummary = z.infer<typeof authoredCaseSummarySchema>;

export const contentChangeSchema = z
  .object({ path: z.string(), before: z.unknown(), after: z.unknown() })
  .meta({ id: 'ContentChange', description: 'One changed field, by its path (e.g. `rubric[3].weight`)' });

export const versionDiffSchema = z
  .object({
    from: z.union([z.number().int(), z.literal('draft')]),
    to: z.union([z.number().int(), z.literal('draft')]),
    changes: z.array(contentChangeSchema),
  })
  .meta({ id: 'CaseVersionDiff' });
export type CaseVersionDiff = z.infer<typeof versionDiffSchema>;

export const importReportSchema = z
  .object({ case: authoredCaseSchema, created: z.boolean(), published_version: z.number().int().nullable() })
  .meta({ id: 'CaseImport' });

export const previewSessionSchema = z
  .object({ session_id: z.uuid(), version_id: z.uuid(), duration_limit: z.number().int() })
  .meta({
    id: 'PreviewSession',
    description: 'A text session on the working copy: no attempt, kept out of statistics',
  });

export const compiledInstructionsSchema = z
  .object({ instructions: z.string() })
  .meta({ id: 'CompiledInstructions', description: "The patient model's system prompt compiled from the content" });
