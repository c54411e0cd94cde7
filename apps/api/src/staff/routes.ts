/**
 * /v1/admin for instructors and admins: reviewing a report's verdicts (confirm or correct), grader
 * agreement, one case's cohort, and per student the attempts granted and the time accommodation.
 * Sessions themselves (list, one, end, exports) are in sessions/staff-routes.ts.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  accommodationRequestSchema,
  accommodationSchema,
  agreementQuerySchema,
  attemptGrantRequestSchema,
  attemptStandingSchema,
  cohortQuerySchema,
  cohortStatsSchema,
  DomainError,
  endOf,
  graderAgreementSchema,
  itemReviewRequestSchema,
  notFound,
  pageOf,
  staffReportSchema,
  startOf,
  studentListQuerySchema,
  studentListSchema,
  studentViewSchema,
  successEnvelope,
} from '@sp/core';
import { agreementCounts, agreementOf, reviewItem } from '@sp/grading';
import type { AppEnv } from '../http/app-context.js';
import { requireRole } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import { isUuid, sessionIdParam } from '../http/params.js';
import { cohortStats } from './cohort.js';
import {
  accommodationOf,
  attemptStandings,
  caseNamed,
  caseTitles,
  clearAccommodation,
  grantAttempts,
  grantsOf,
  listStudents,
  setAccommodation,
  studentNamed,
} from './student-store.js';

const staffOnly = "FORBIDDEN: instructors and admins only, or the token's tenant is not registered";
const pathParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .meta({ param: { name, in: 'path' }, example });
const userIdParam = z.object({ user_id: pathParam('user_id', 'student-1') });
const body = <T extends z.ZodType>(schema: T, description: string) => ({
  ...json(schema, description),
  required: true,
});

const reviewRoute = createRoute({
  method: 'post',
  path: '/sessions/{session_id}/report/items/{item_id}/review',
  tags: ['admin'],
  summary: "Confirm or correct one verdict of a session's report",
  description:
    'Kept as a label. The latest review of an item counts: the report shows it beside the grader’s verdict and its ' +
    'score follows it (`grader_score` keeps the grader’s). A regrade starts a new grading, which earlier reviews ' +
    'no longer change.',
  security,
  request: {
    params: sessionIdParam.extend({ item_id: pathParam('item_id', 'introduction') }),
    body: body(itemReviewRequestSchema, 'confirm, or correct with a verdict and a note'),
  },
  responses: {
    200: json(successEnvelope(staffReportSchema), 'The report after the review'),
    ...errors({
      ...authErrors,
      403: staffOnly,
      404: 'NOT_FOUND: no such session (or report) in your tenant, or no such rubric item',
      409: 'REPORT_NOT_COMPLETED: the report is pending, running or failed (details.status)',
      422: 'VALIDATION_ERROR: a bad action, verdict or note (a correction needs a note)',
    }),
  },
});

const agreementRoute = createRoute({
  method: 'get',
  path: '/grader-agreement',
  tags: ['admin'],
  summary: 'How often the grader agreed with instructors: overall and per case, split by grader',
  security,
  request: { query: agreementQuerySchema },
  responses: {
    200: json(successEnvelope(graderAgreementSchema), 'Agreement figures'),
    ...errors({ ...authErrors, 403: staffOnly, 404: 'NOT_FOUND: no such case study', 422: 'VALIDATION_ERROR' }),
  },
});

const cohortRoute = createRoute({
  method: 'get',
  path: '/cohorts/{content_id}',
  tags: ['admin'],
  summary: "One case's cohort: attempts, score distribution, per rubric item the share who met it, agreement",
  security,
  request: { params: z.object({ content_id: pathParam('content_id', 'chest-pain') }), query: cohortQuerySchema },
  responses: {
    200: json(successEnvelope(cohortStatsSchema), 'The cohort figures'),
    ...errors({
      ...authErrors,
      403: staffOnly,
      404: 'NOT_FOUND: no such case study in your tenant',
      422: 'VALIDATION_ERROR',
    }),
  },
});

const studentsRoute = createRoute({
  method: 'get',
  path: '/students',
  tags: ['admin'],
  summary: "Your tenant's students (registered, or with a session, grant or accommodation), most recently active first",
  security,
  request: { query: studentListQuerySchema },
  responses: {
    200: json(studentListSchema, 'A page of students'),
    ...errors({ ...authErrors, 403: staffOnly, 422: 'VALIDATION_ERROR' }),
  },
});

const studentRoute = createRoute({
  method: 'get',
  path: '/students/{user_id}',
  tags: ['admin'],
  summary: 'One student: attempts per case (granted, used), grants and the time accommodation',
  description: 'Their sessions: GET /v1/admin/sessions?user_id=…',
  security,
  request: { params: userIdParam },
  responses: {
    200: json(successEnvelope(studentViewSchema), 'The student'),
    ...errors({ ...authErrors, 403: staffOnly, 404: 'NOT_FOUND: no such student in your tenant' }),
  },
});

const grantRoute = createRoute({
  method: 'post',
  path: '/students/{user_id}/attempt-grants',
  tags: ['admin'],
  summary: 'Grant a student extra attempts on a case',
  description: "The student's limit on the case becomes its max_attempts plus every extra attempt granted.",
  security,
  request: { params: userIdParam, body: body(attemptGrantRequestSchema, 'The case and how many more attempts') },
  responses: {
    201: json(successEnvelope(attemptStandingSchema), "The student's attempts on the case now"),
    ...errors({
      ...authErrors,
      403: staffOnly,
      404: 'NOT_FOUND: no such case study in your tenant',
      422: 'VALIDATION_ERROR',
    }),
  },
});

const accommodationRoute = createRoute({
  method: 'put',
  path: '/students/{user_id}/accommodation',
  tags: ['admin'],
  summary: "Set a student's time accommodation: sessions they start from now on last the case's duration times it",
  security,
  request: { params: userIdParam, body: body(accommodationRequestSchema, 'The multiplier (1–4) and a note') },
  responses: {
    200: json(successEnvelope(accommodationSchema), 'The accommodation'),
    ...errors({ ...authErrors, 403: staffOnly, 422: 'VALIDATION_ERROR: a multiplier outside 1–4' }),
  },
});

const clearAccommodationRoute = createRoute({
  method: 'delete',
  path: '/students/{user_id}/accommodation',
  tags: ['admin'],
  summary: "Remove a student's time accommodation (sessions already started keep theirs)",
  security,
  request: { params: userIdParam },
  responses: {
    200: json(successEnvelope(accommodationSchema), 'No accommodation: the multiplier is 1'),
    ...errors({ ...authErrors, 403: staffOnly }),
  },
});

export function staffRoutes({ db }: Services) {
  const app = new OpenAPIHono<AppEnv>();
  for (const path of ['/sessions/*', '/grader-agreement', '/cohorts/*', '/students', '/students/*']) {
    app.use(path, requireRole('instructor', 'admin'));
  }
  return app
    .openapi(reviewRoute, async (c) => {
      const { session_id, item_id } = c.req.valid('param');
      const { tenantId, userId } = c.var.auth;
      if (!isUuid(session_id)) throw notFound('Session');
      const target = { tenantId, sessionId: session_id, itemId: item_id, reviewer: userId };
      const result = await reviewItem(db, target, c.req.valid('json'));
      if (result.outcome === 'not_found') throw notFound('Report');
      if (result.outcome === 'no_such_item') throw notFound('Rubric item');
      if (result.outcome === 'not_completed') {
        throw new DomainError(
          'REPORT_NOT_COMPLETED',
          `The report is ${result.status}, so it has no verdicts to review`,
          {
            status: result.status,
          },
        );
      }
      c.var.log.info({ session_id, tenant_id: tenantId, item_id }, 'verdict reviewed');
      return c.json({ success: true as const, data: result.report, message: 'Review recorded' }, 200);
    })
    .openapi(agreementRoute, async (c) => {
      const q = c.req.valid('query');
      const { tenantId } = c.var.auth;
      const caseStudy = q.content_id ? await caseNamed(db, tenantId, q.content_id) : null;
      if (q.content_id && !caseStudy) throw notFound('Case study');
      const counts = await agreementCounts(db, tenantId, {
        contentId: caseStudy?.id,
        from: q.from ? startOf(q.from) : undefined,
        to: q.to ? endOf(q.to) : undefined,
      });
      const titles = await caseTitles(db, tenantId, [...new Set(counts.map((r) => r.contentId))]);
      const byCase = [...new Set(counts.map((r) => r.contentId))].map((contentId) => ({
        content_id: contentId,
        case_title: titles.get(contentId) ?? '',
        ...agreementOf(counts.filter((r) => r.contentId === contentId)),
      }));
      byCase.sort((a, b) => a.case_title.localeCompare(b.case_title));
      return c.json(
        { success: true as const, data: { overall: agreementOf(counts), by_case: byCase }, message: null },
        200,
      );
    })
    .openapi(cohortRoute, async (c) => {
      const { content_id } = c.req.valid('param');
      const q = c.req.valid('query');
      const caseStudy = await caseNamed(db, c.var.auth.tenantId, content_id);
      if (!caseStudy) throw notFound('Case study');
      const range = { from: q.from ? startOf(q.from) : undefined, to: q.to ? endOf(q.to) : undefined };
      const data = await cohortStats(db, c.var.auth.tenantId, caseStudy, range);
      return c.json({ success: true as const, data, message: null }, 200);
    })
    .openapi(studentsRoute, async (c) => {
      const { skip, limit } = c.req.valid('query');
      const { data, total } = await listStudents(db, c.var.auth.tenantId, { skip, limit });
      return c.json({ success: true as const, data, total, ...pageOf(skip, limit, total), message: null }, 200);
    })
    .openapi(studentRoute, async (c) => {
      const { user_id } = c.req.valid('param');
      const { tenantId } = c.var.auth;
      const student = await studentNamed(db, tenantId, user_id);
      if (!student) throw notFound('Student');
      const [accommodation, cases, grants] = await Promise.all([
        accommodationOf(db, tenantId, user_id),
        attemptStandings(db, tenantId, user_id),
        grantsOf(db, tenantId, user_id),
      ]);
      const data = { user_id, name: student.name, email: student.email, accommodation, cases, grants };
      return c.json({ success: true as const, data, message: null }, 200);
    })
    .openapi(grantRoute, async (c) => {
      const { user_id } = c.req.valid('param');
      const { content_id, extra_attempts, note } = c.req.valid('json');
      const { tenantId, userId } = c.var.auth;
      const caseStudy = await caseNamed(db, tenantId, content_id);
      if (!caseStudy) throw notFound('Case study');
      await grantAttempts(db, {
        tenantId,
        userId: user_id,
        contentId: caseStudy.id,
        extraAttempts: extra_attempts,
        note,
        grantedBy: userId,
      });
      c.var.log.info({ tenant_id: tenantId, user_id, content_id: caseStudy.id, extra_attempts }, 'attempts granted');
      const [standing] = await attemptStandings(db, tenantId, user_id, caseStudy.id);
      if (!standing) throw notFound('Case study');
      const { best_score: _best, latest_score: _latest, ...data } = standing;
      return c.json({ success: true as const, data, message: 'Attempts granted' }, 201);
    })
    .openapi(accommodationRoute, async (c) => {
      const { user_id } = c.req.valid('param');
      const { duration_multiplier, note } = c.req.valid('json');
      const { tenantId, userId } = c.var.auth;
      const data = await setAccommodation(db, {
        tenantId,
        userId: user_id,
        durationMultiplier: duration_multiplier,
        note,
        setBy: userId,
      });
      c.var.log.info({ tenant_id: tenantId, user_id, duration_multiplier }, 'time accommodation set');
      return c.json({ success: true as const, data, message: 'Accommodation set' }, 200);
    })
    .openapi(clearAccommodationRoute, async (c) => {
      const { user_id } = c.req.valid('param');
      const data = await clearAccommodation(db, c.var.auth.tenantId, user_id);
      return c.json({ success: true as const, data, message: 'Accommodation removed' }, 200);
    });
}
