/**
 * /v1/authoring/cases: instructors and admins author their tenant's case studies. Drafts, publish
 * (each publish that changes something is a new immutable version), unpublish, archive, versions
 * and their differences, import and export in the content-file format, and preview sessions.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  authoredCaseSchema,
  authoredCaseSummarySchema,
  type CaseStudyContent,
  type CaseVersionContent,
  caseDocumentSchema,
  caseStudyStatuses,
  caseVersionSchema,
  caseVersionSummarySchema,
  contentChanges,
  DomainError,
  importReportSchema,
  previewSessionSchema,
  successEnvelope,
  unknownVoiceProblem,
  versionDiffSchema,
  voiceCatalog,
} from '@sp/core';
import type { CaseStudyVersion } from '@sp/db';
import type { AppEnv, Caller } from '../http/app-context.js';
import { requireRole } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import {
  type AuthoredRow,
  createDraft,
  findAuthored,
  findBySlug,
  hasUnpublishedChanges,
  listAuthored,
  listVersions,
  publish,
  saveDraft,
  setUnpublished,
  startPreview,
  statusOf,
  versionByNumber,
  workingCopy,
} from './case-store.js';

const tags = ['case authoring'];
const staffErrors = {
  ...authErrors,
  403: "FORBIDDEN: students may not author cases, or the token's tenant is not registered",
} as const;
const caseParam = z.object({
  case_id: z
    .string()
    .max(100)
    .meta({ param: { name: 'case_id', in: 'path' }, example: '0b6f3c1e-5a2d-4c8e-9f10-2b3c4d5e6f70' }),
});
const versionRef = z.union([z.coerce.number().int().min(1).max(1_000_000), z.literal('draft')]);
const invalidContent =
  'VALIDATION_ERROR: details.fields names every bad field by its path (e.g. `rubric[3].weight`), a slug in use, or a voice the provider lacks';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "Your tenant's case studies, every status",
  security,
  request: {
    query: z.object({
      status: z.enum(caseStudyStatuses).optional().meta({ description: 'Only cases in this status' }),
    }),
  },
  responses: {
    200: json(successEnvelope(z.array(authoredCaseSummarySchema)), 'The cases, by title'),
    ...errors({ ...staffErrors, 422: 'VALIDATION_ERROR: an unknown status' }),
  },
});
const createRouteDef = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a draft case study',
  security,
  request: {
    body: { ...json(caseDocumentSchema, 'The case; `published` is ignored (publish it next)'), required: true },
  },
  responses: {
    201: json(successEnvelope(authoredCaseSchema), 'The new draft'),
    ...errors({ ...staffErrors, 422: invalidContent }),
  },
});
const getRoute = createRoute({
  method: 'get',
  path: '/{case_id}',
  tags,
  summary: 'A case study with every field of its working copy',
  security,
  request: { params: caseParam },
  responses: {
    200: json(successEnvelope(authoredCaseSchema), 'The case'),
    ...errors({ ...staffErrors, 404: 'NOT_FOUND: no such case in your tenant' }),
  },
});
const updateRoute = createRoute({
  method: 'put',
  path: '/{case_id}',
  tags,
  summary: 'Save the working copy (students keep the published version until you publish)',
  security,
  request: { params: caseParam, body: { ...json(caseDocumentSchema, 'The whole case'), required: true } },
  responses: {
    200: json(successEnvelope(authoredCaseSchema), 'The case as saved'),
    ...errors({ ...staffErrors, 404: 'NOT_FOUND', 409: 'CASE_ARCHIVED', 422: invalidContent }),
  },
});
function stateRoute(action: 'publish' | 'unpublish' | 'archive', summary: string) {
  return createRoute({
    method: 'post',
    path: `/{case_id}/${action}`,
    tags,
    summary,
    security,
    request: { params: caseParam },
    responses: {
      200: json(successEnvelope(authoredCaseSchema), 'The case'),
      ...errors({ ...staffErrors, 404: 'NOT_FOUND', 409: 'CASE_ARCHIVED', 422: invalidContent }),
    },
  });
}
const publishRoute = stateRoute('publish', 'Publish the working copy as the next version');
const unpublishRoute = stateRoute('unpublish', 'Withdraw the case from students (sessions in progress carry on)');
const archiveRoute = stateRoute('archive', 'Retire the case for good: unpublished and no longer editable');
const versionsRoute = createRoute({
  method: 'get',
  path: '/{case_id}/versions',
  tags,
  summary: "The case's published versions, newest first",
  security,
  request: { params: caseParam },
  responses: {
    200: json(successEnvelope(z.array(caseVersionSummarySchema)), 'The versions'),
    ...errors({ ...staffErrors, 404: 'NOT_FOUND' }),
  },
});
const versionRoute = createRoute({
  method: 'get',
  path: '/{case_id}/versions/{number}',
  tags,
  summary: 'One published version with its content',
  security,
  request: {
    params: caseParam.extend({
      number: z.coerce
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .meta({ param: { name: 'number', in: 'path' } }),
    }),
  },
  responses: {
    200: json(successEnvelope(caseVersionSchema), 'The version'),
    ...errors({ ...staffErrors, 404: 'NOT_FOUND', 422: 'VALIDATION_ERROR: number is not a positive integer' }),
  },
});
const diffRoute = createRoute({
  method: 'get',
  path: '/{case_id}/diff',
  tags,
  summary: 'What changed between two versions (or a version and the working copy), by field path',
  security,
  request: {
    params: caseParam,
    query: z.object({
      from: versionRef.meta({ description: 'A version number, or `draft` for the working copy' }),
      to: versionRef.default('draft').meta({ description: 'A version number, or `draft` (the default)' }),
    }),
  },
  responses: {
    200: json(successEnvelope(versionDiffSchema), 'The changed fields'),
    ...errors({ ...staffErrors, 404: 'NOT_FOUND: no such case or version', 422: 'VALIDATION_ERROR' }),
  },
});
const exportOneRoute = createRoute({
  method: 'get',
  path: '/{case_id}/export',
  tags,
  summary: 'The case as one content document (working copy; `published` as it stands)',
  security,
  request: { params: caseParam },
  responses: {
    200: json(caseDocumentSchema, 'The document, as content/cases/*.json'),
    ...errors({ ...staffErrors, 404: 'NOT_FOUND' }),
  },
});
const exportAllRoute = createRoute({
  method: 'get',
  path: '/export',
  tags,
  summary: 'Every case of your tenant as content documents (archived ones left out)',
  security,
  responses: {
    200: json(z.object({ cases: z.array(caseDocumentSchema) }), 'The documents, by title'),
    ...errors(staffErrors),
  },
});
const importRoute = createRoute({
  method: 'post',
  path: '/import',
  tags,
  summary: 'Import one content document: a new case, or the working copy of the case with its slug',
  security,
  request: {
    body: { ...json(caseDocumentSchema, 'One case; `published` (default true) publishes it'), required: true },
  },
  responses: {
    200: json(successEnvelope(importReportSchema), 'The case as imported'),
    ...errors({ ...staffErrors, 409: 'CASE_ARCHIVED: the slug names an archived case', 422: invalidContent }),
  },
});
const previewRoute = createRoute({
  method: 'post',
  path: '/{case_id}/preview',
  tags,
  summary: 'Try the working copy by typing: a text session that counts no attempt',
  security,
  request: { params: caseParam },
  responses: {
    201: json(
      successEnvelope(previewSessionSchema),
      'The preview session; talk to it through /v1/sessions/{id}/messages',
    ),
    ...errors({
      ...staffErrors,
      404: 'NOT_FOUND',
      409: 'CASE_ARCHIVED, or SESSION_ACTIVE: you have a live (non-preview) session of this case',
    }),
  },
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function caseView(found: AuthoredRow) {
  const { row, latest } = found;
  return {
    id: row.id,
    status: statusOf(found),
    content: workingCopy(row),
    latest_version: latest?.number ?? null,
    unpublished_changes: hasUnpublishedChanges(found),
    archived_at: iso(row.archivedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function summaryView(found: AuthoredRow) {
  const { content, ...rest } = caseView(found);
  return { ...rest, slug: content.slug, title: content.title };
}

function versionSummary(v: CaseStudyVersion) {
  return { id: v.id, number: v.number ?? 0, created_by: v.createdBy, created_at: v.createdAt.toISOString() };
}

/** The content document of a case, as a content file spells it. */
const documentOf = (found: AuthoredRow): CaseStudyContent => ({
  ...workingCopy(found.row),
  published: found.row.published,
});

export function caseAuthoringRoutes({ db, config }: Services) {
  const voices = voiceCatalog(config);
  /** A voice the provider lacks is refused on save, not discovered when a student starts talking. */
  function checkVoice(content: CaseVersionContent) {
    const problem = unknownVoiceProblem(content.persona.voice, voices);
    if (problem) {
      throw new DomainError('VALIDATION_ERROR', 'Invalid request: persona.voice', {
        fields: [{ field: 'persona.voice', in: 'body', message: problem }],
      });
    }
  }
  async function reread(caller: Caller, caseId: string) {
    const found = await findAuthored(db, caller, caseId);
    if (!found) throw new DomainError('NOT_FOUND', 'Case study not found');
    return found;
  }

  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requireRole('instructor', 'admin'));
  return app
    .openapi(listRoute, async (c) => {
      const { status } = c.req.valid('query');
      const rows = (await listAuthored(db, c.var.auth)).filter((r) => !status || statusOf(r) === status);
      return c.json(success(rows.map(summaryView)), 200);
    })
    .openapi(exportAllRoute, async (c) => {
      const rows = (await listAuthored(db, c.var.auth)).filter((r) => !r.row.archivedAt);
      return c.json({ cases: rows.map(documentOf) }, 200);
    })
    .openapi(importRoute, async (c) => {
      const document = c.req.valid('json');
      checkVoice(document);
      const existing = await findBySlug(db, c.var.auth, document.slug);
      const id = existing ? existing.row.id : (await createDraft(db, c.var.auth, document)).id;
      if (existing) await saveDraft(db, c.var.auth, id, document);
      const version = document.published ? await publish(db, c.var.auth, id) : null;
      const data = {
        case: caseView(await reread(c.var.auth, id)),
        created: !existing,
        published_version: version?.number ?? null,
      };
      return c.json(success(data, existing ? 'Case study updated' : 'Case study imported'), 200);
    })
    .openapi(createRouteDef, async (c) => {
      const content = c.req.valid('json');
      checkVoice(content);
      const row = await createDraft(db, c.var.auth, content);
      return c.json(success(caseView({ row, latest: null }), 'Draft created'), 201);
    })
    .openapi(getRoute, async (c) =>
      c.json(success(caseView(await reread(c.var.auth, c.req.valid('param').case_id))), 200),
    )
    .openapi(updateRoute, async (c) => {
      const { case_id } = c.req.valid('param');
      const content = c.req.valid('json');
      checkVoice(content);
      await saveDraft(db, c.var.auth, case_id, content);
      return c.json(success(caseView(await reread(c.var.auth, case_id)), 'Draft saved'), 200);
    })
    .openapi(publishRoute, async (c) => {
      const { case_id } = c.req.valid('param');
      const found = await reread(c.var.auth, case_id);
      checkVoice(workingCopy(found.row));
      const version = await publish(db, c.var.auth, case_id);
      return c.json(
        success(caseView(await reread(c.var.auth, case_id)), `Published as version ${version.number}`),
        200,
      );
    })
    .openapi(unpublishRoute, async (c) => {
      const { case_id } = c.req.valid('param');
      await setUnpublished(db, c.var.auth, case_id, false);
      return c.json(success(caseView(await reread(c.var.auth, case_id)), 'Unpublished'), 200);
    })
    .openapi(archiveRoute, async (c) => {
      const { case_id } = c.req.valid('param');
      await setUnpublished(db, c.var.auth, case_id, true);
      return c.json(success(caseView(await reread(c.var.auth, case_id)), 'Archived'), 200);
    })
    .openapi(versionsRoute, async (c) => {
      const found = await reread(c.var.auth, c.req.valid('param').case_id);
      return c.json(success((await listVersions(db, found.row.id)).map(versionSummary)), 200);
    })
    .openapi(versionRoute, async (c) => {
      const { case_id, number } = c.req.valid('param');
      const found = await reread(c.var.auth, case_id);
      const version = await versionByNumber(db, found.row.id, number);
      if (!version) throw new DomainError('NOT_FOUND', 'Version not found');
      return c.json(success({ ...versionSummary(version), content: version.content }), 200);
    })
    .openapi(diffRoute, async (c) => {
      const { case_id } = c.req.valid('param');
      const { from, to } = c.req.valid('query');
      const found = await reread(c.var.auth, case_id);
      const side = async (ref: number | 'draft') => {
        if (ref === 'draft') return workingCopy(found.row);
        const version = await versionByNumber(db, found.row.id, ref);
        if (!version) throw new DomainError('NOT_FOUND', `Version ${ref} not found`);
        return version.content;
      };
      const [before, after] = await Promise.all([side(from), side(to)]);
      return c.json(success({ from, to, changes: contentChanges(before, after) }), 200);
    })
    .openapi(exportOneRoute, async (c) => {
      const found = await reread(c.var.auth, c.req.valid('param').case_id);
      c.header('Content-Disposition', `attachment; filename="${found.row.slug}.json"`);
      return c.json(documentOf(found), 200);
    })
    .openapi(previewRoute, async (c) => {
      const session = await startPreview(db, c.var.auth, c.req.valid('param').case_id);
      const data = {
        session_id: session.id,
        version_id: session.caseStudyVersionId,
        duration_limit: session.durationLimit,
      };
      return c.json(success(data, 'Preview session started'), 201);
    });
}
