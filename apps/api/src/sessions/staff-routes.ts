/**
 * GET /v1/admin/sessions: the staff list of their tenant's sessions, newest
 * first, filterable by student, case, status and a top-level key of the
 * session's metadata (optionally with its value).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { pagedEnvelope, pageQuery, sessionSummarySchema } from '@sp/core';
import { sessions } from '@sp/db';
import { and, count, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { AppEnv } from '../http/app-context.js';
import { requireRole } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { paged } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import { settlePending } from '../http/session-endings.js';
import { caseIdsNamed } from './session-store.js';
import { sessionSummary } from './views.js';

const querySchema = z
  .object({
    user_id: z.string().min(1).max(200).optional().meta({ description: 'Only this student' }),
    content_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Only this case study (its id or external_id)' }),
    status: z.enum(['pending', 'active', 'ended']).optional(),
    metadata_key: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Only sessions whose metadata has this top-level key', example: 'cohort' }),
    metadata_value: z.string().max(2000).optional().meta({
      description: "With metadata_key: only where that key's value, as text (strings unquoted), equals this",
      example: '2026-A',
    }),
    ...pageQuery,
  })
  .refine((q) => q.metadata_value === undefined || q.metadata_key !== undefined, {
    path: ['metadata_value'],
    message: 'needs metadata_key',
  });

const staffSessionSchema = sessionSummarySchema
  .extend({ user_id: z.string(), metadata: z.record(z.string(), z.unknown()) })
  .meta({ id: 'StaffSessionSummary' });

const listSchema = pagedEnvelope(staffSessionSchema).meta({ id: 'StaffSessionList' });

const listRoute = createRoute({
  method: 'get',
  path: '/sessions',
  tags: ['admin'],
  summary: "Your tenant's sessions, newest first, filterable by metadata",
  security,
  request: { query: querySchema },
  responses: {
    200: json(listSchema, 'A page of sessions'),
    ...errors({
      ...authErrors,
      403: "FORBIDDEN: instructors and admins only, or the token's tenant is not registered",
      422: 'VALIDATION_ERROR: a bad filter or paging value',
    }),
  },
});

export function adminSessionRoutes(services: Services) {
  const { db, config, now } = services;
  const limits = { maxReconnects: config.MAX_RECONNECTS, reconnectWindowSeconds: config.RECONNECT_WINDOW_SECONDS };
  const app = new OpenAPIHono<AppEnv>();
  app.use('/sessions', requireRole('instructor', 'admin'));
  return app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const tenantId = c.var.auth.tenantId;
    const conditions: (SQL | undefined)[] = [
      eq(sessions.tenantId, tenantId),
      q.user_id ? eq(sessions.userId, q.user_id) : undefined,
      q.content_id ? sql`${sessions.contentId} in (${caseIdsNamed(tenantId, q.content_id)})` : undefined,
      q.status ? eq(sessions.status, q.status) : undefined,
      q.metadata_key ? sql`${sessions.metadata} ? ${q.metadata_key}` : undefined,
      q.metadata_key && q.metadata_value !== undefined
        ? sql`${sessions.metadata} ->> ${q.metadata_key} = ${q.metadata_value}`
        : undefined,
    ];
    const where = and(...conditions);
    const [rows, [total]] = await Promise.all([
      db
        .select()
        .from(sessions)
        .where(where)
        .orderBy(desc(sessions.createdAt), desc(sessions.id))
        .offset(q.skip)
        .limit(q.limit),
      db.select({ total: count() }).from(sessions).where(where),
    ]);
    const settled = await settlePending(services, rows, c.var.log);
    const clock = { now: now(), limits };
    const data = settled.map((row) => ({ ...sessionSummary(row, clock), user_id: row.userId, metadata: row.metadata }));
    const all = total?.total ?? 0;
    return c.json(paged(data, all, { skip: q.skip, limit: q.limit }), 200);
  });
}
