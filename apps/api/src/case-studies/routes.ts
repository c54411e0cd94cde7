/** /v1/case-studies: the published cases of the caller's tenant; rubric and facts only for staff. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { caseStudyViewSchema, notFound, successEnvelope } from '@sp/core';
import { type CaseStudy, caseStudies } from '@sp/db';
import { and, asc, eq } from 'drizzle-orm';
import type { AppEnv, Caller } from '../http/app-context.js';
import { isStaff } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import { isUuid } from '../http/params.js';
import { caseStudyView } from './views.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['case studies'],
  summary: 'Published case studies of your tenant',
  security,
  responses: {
    200: json(successEnvelope(z.array(caseStudyViewSchema)), 'Students get the student view; staff the full case'),
    ...errors(authErrors),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['case studies'],
  summary: 'One published case study',
  security,
  request: { params: z.object({ id: z.string().max(100) }) },
  responses: {
    200: json(successEnvelope(caseStudyViewSchema), 'The case study'),
    ...errors({ ...authErrors, 404: 'NOT_FOUND' }),
  },
});

const visibleTo = (caller: Caller) => and(eq(caseStudies.tenantId, caller.tenantId), eq(caseStudies.published, true));

export function caseStudyRoutes({ db }: Services) {
  const view = (caller: Caller) => (row: CaseStudy) => caseStudyView(row, isStaff(caller));
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const rows = await db.select().from(caseStudies).where(visibleTo(c.var.auth)).orderBy(asc(caseStudies.title));
      return c.json(success(rows.map(view(c.var.auth))), 200);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid('param');
      const [row] = isUuid(id)
        ? await db
            .select()
            .from(caseStudies)
            .where(and(eq(caseStudies.id, id), visibleTo(c.var.auth)))
        : [];
      if (!row) throw notFound('Case study');
      return c.json(success(view(c.var.auth)(row)), 200);
    });
}
