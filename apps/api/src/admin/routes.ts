/**
 * /v1/admin for instructors and admins of a tenant: their tenant's grade
 * reports (filtered, paged like the session list) and regrading a session.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  DomainError,
  dateBound,
  endOf,
  fromAfterTo,
  fromNotAfterTo,
  notFound,
  pagedEnvelope,
  pageQuery,
  reportStatusSchema,
  startOf,
  successEnvelope,
  tenantReportSchema,
} from '@sp/core';
import { listReports, requestRegrade } from '@sp/grading';
import type { AppEnv } from '../http/app-context.js';
import { requireRole } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { paged, success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import { isUuid, sessionIdParam } from '../http/params.js';

const score = z.coerce.number().min(0).max(100);
const listReportsQuerySchema = z
  .object({
    content_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Only reports of this case study (its id or external_id)' }),
    user_id: z.string().min(1).max(200).optional().meta({ description: 'Only reports of this student' }),
    from: dateBound.optional().meta({ description: 'Sessions that ended on or after this day or instant (ISO 8601)' }),
    to: dateBound.optional().meta({ description: 'Sessions that ended on or before this day or instant (ISO 8601)' }),
    min_score: score.optional(),
    max_score: score.optional(),
    status: reportStatusSchema.optional(),
    needs_review: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: 'Only reports with (true) or without (false) integrity flags, which need a review' }),
    ...pageQuery,
  })
  .refine((q) => q.min_score === undefined || q.max_score === undefined || q.min_score <= q.max_score, {
    path: ['min_score'],
    message: 'must not exceed max_score',
  })
  .refine(fromNotAfterTo, fromAfterTo);

const reportListSchema = pagedEnvelope(tenantReportSchema).meta({ id: 'GradeReportList' });

const listRoute = createRoute({
  method: 'get',
  path: '/reports',
  tags: ['admin'],
  summary: "Your tenant's grade reports, most recently ended first",
  security,
  request: { query: listReportsQuerySchema },
  responses: {
    200: json(reportListSchema, 'A page of reports'),
    ...errors({
      ...authErrors,
      403: "FORBIDDEN: instructors and admins only, or the token's tenant is not registered",
      422: 'VALIDATION_ERROR: a bad filter or paging value',
    }),
  },
});

const regradeRoute = createRoute({
  method: 'post',
  path: '/sessions/{session_id}/regrade',
  tags: ['admin'],
  summary: 'Grade an ended session again',
  security,
  request: {
    params: sessionIdParam,
  },
  responses: {
    202: json(
      successEnvelope(z.object({ session_id: z.uuid(), status: z.literal('pending') })),
      'Queued; read the report (with wait_for_completion) to follow it',
    ),
    ...errors({
      ...authErrors,
      403: "FORBIDDEN: instructors and admins only, or the token's tenant is not registered",
      404: 'NOT_FOUND: no such session in your tenant',
      409: 'SESSION_ACTIVE: the session has not ended (details.session_id, details.session_status); GRADING_IN_PROGRESS: its grading is pending or running (and its lease is live)',
    }),
  },
});

export function adminRoutes({ db, config }: Services) {
  // A pending or running report whose lease was not renewed for this long may be regraded.
  const { GRADING_LEASE_SECONDS } = config;
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requireRole('instructor', 'admin'));
  return app
    .openapi(listRoute, async (c) => {
      const q = c.req.valid('query');
      const { rows, total } = await listReports(db, c.var.auth.tenantId, {
        contentId: q.content_id,
        userId: q.user_id,
        from: q.from ? startOf(q.from) : undefined,
        to: q.to ? endOf(q.to) : undefined,
        minScore: q.min_score,
        maxScore: q.max_score,
        status: q.status,
        needsReview: q.needs_review,
        skip: q.skip,
        limit: q.limit,
      });
      return c.json(paged(rows, total, q), 200);
    })
    .openapi(regradeRoute, async (c) => {
      const { session_id } = c.req.valid('param');
      const result = isUuid(session_id)
        ? await requestRegrade(db, c.var.auth.tenantId, session_id, GRADING_LEASE_SECONDS)
        : ({ outcome: 'not_found' } as const);
      if (result.outcome === 'not_found') throw notFound('Session');
      if (result.outcome === 'not_ended') {
        throw new DomainError('SESSION_ACTIVE', 'The session has not ended, so it cannot be graded', {
          session_id,
          session_status: result.sessionStatus,
        });
      }
      if (result.outcome === 'in_progress') {
        throw new DomainError('GRADING_IN_PROGRESS', `Grading of this session is already ${result.reportStatus}`, {
          status: result.reportStatus,
        });
      }
      c.var.log.info({ session_id, tenant_id: c.var.auth.tenantId }, 'regrade queued');
      const data = { session_id, status: 'pending' as const };
      return c.json(success(data, 'Regrade queued'), 202);
    });
}
