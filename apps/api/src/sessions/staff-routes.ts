/**
 * /v1/admin/sessions for instructors and admins: their tenant's sessions of every status, filtered and
 * paged with the live elapsed time of active ones; one session with its transcript and report side by
 * side; ending a live session (`staff_ended`); and the two CSV exports, filtered like the list.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  notFound,
  staffEndRequestSchema,
  staffSessionDetailSchema,
  staffSessionListQuerySchema,
  staffSessionListSchema,
  staffSessionSchema,
  successEnvelope,
} from '@sp/core';
import { staffReportOf } from '@sp/grading';
import { sessionLimits } from '../config.js';
import type { AppEnv } from '../http/app-context.js';
import { requireRole } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { paged, success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import { isUuid, sessionIdParam } from '../http/params.js';
import { settlePending } from '../http/session-endings.js';
import { endByStaff } from './ending.js';
import { transcriptOf } from './session-store.js';
import { exportRoutes } from './staff-exports.js';
import { listStaffSessions, type StaffSessionRow, staffSession, staffSessionWhere } from './staff-queries.js';
import { sessionMessageView, staffSessionSummary, staffSessionView } from './views.js';

const staffOnly = "FORBIDDEN: instructors and admins only, or the token's tenant is not registered";

const listRoute = createRoute({
  method: 'get',
  path: '/sessions',
  tags: ['admin'],
  summary: "Your tenant's sessions of every status, newest first, filtered and paged",
  description:
    'Filters combine (all must hold). `elapsed_active_time` of an active session is live: the database ' +
    'evaluates it at the time of the request. `min_score`/`max_score` keep only graded sessions.',
  security,
  request: { query: staffSessionListQuerySchema },
  responses: {
    200: json(staffSessionListSchema, 'A page of sessions'),
    ...errors({ ...authErrors, 403: staffOnly, 422: 'VALIDATION_ERROR: a bad filter or paging value' }),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/sessions/{session_id}',
  tags: ['admin'],
  summary: 'One session of your tenant: its transcript and its report side by side',
  security,
  request: { params: sessionIdParam },
  responses: {
    200: json(successEnvelope(staffSessionDetailSchema), 'The session, its messages and its report'),
    ...errors({ ...authErrors, 403: staffOnly, 404: 'NOT_FOUND: no such session in your tenant' }),
  },
});

const endRoute = createRoute({
  method: 'post',
  path: '/sessions/{session_id}/end',
  tags: ['admin'],
  summary: 'End a live session of your tenant (end_reason staff_ended), graded or not',
  description:
    "Ends it as the student's own ending does (its LiveKit room is closed; a text session answers its next turn " +
    'with 410 SESSION_STAFF_ENDED), records who ended it in `ended_by`, and sends it for grading when `graded` ' +
    'is true. It counts as an attempt either way.',
  security,
  request: {
    params: sessionIdParam,
    body: { ...json(staffEndRequestSchema, 'Whether to grade it'), required: true },
  },
  responses: {
    200: json(successEnvelope(staffSessionSchema), 'The ended session'),
    ...errors({
      ...authErrors,
      403: staffOnly,
      404: 'NOT_FOUND: no such session in your tenant',
      410: 'SESSION_<END_REASON>: it had already ended',
      422: 'VALIDATION_ERROR: `graded` missing or not a boolean',
    }),
  },
});

export function staffSessionRoutes(services: Services) {
  const { db, config, now } = services;
  const limits = sessionLimits(config);
  const clock = () => ({ now: now(), limits });
  /** The rows once pending sessions nobody joined in time are ended, as every session read does. */
  async function settled(rows: StaffSessionRow[], log: import('pino').Logger): Promise<StaffSessionRow[]> {
    const sessions = await settlePending(
      services,
      rows.map((row) => row.session),
      log,
    );
    return rows.map((row, i) => ({ ...row, session: sessions[i] ?? row.session }));
  }
  const app = new OpenAPIHono<AppEnv>();
  app.use('/sessions', requireRole('instructor', 'admin'));
  app.use('/sessions/*', requireRole('instructor', 'admin'));
  app.use('/exports/*', requireRole('instructor', 'admin'));
  return app
    .openapi(listRoute, async (c) => {
      const { skip, limit, ...filters } = c.req.valid('query');
      const tenantId = c.var.auth.tenantId;
      const listed = await listStaffSessions(db, staffSessionWhere(tenantId, filters), { skip, limit });
      const rows = await settled(listed.rows, c.var.log);
      const data = rows.map((row) => staffSessionSummary(row, clock()));
      const { total } = listed;
      return c.json(paged(data, total, { skip, limit }), 200);
    })
    .openapi(getRoute, async (c) => {
      const { session_id } = c.req.valid('param');
      const { tenantId } = c.var.auth;
      const found = isUuid(session_id) ? await staffSession(db, tenantId, session_id) : null;
      if (!found) throw notFound('Session');
      const [[row], messages, report] = await Promise.all([
        settled([found], c.var.log),
        transcriptOf(db, session_id),
        staffReportOf(db, tenantId, session_id),
      ]);
      const session = row ?? found;
      const data = {
        ...staffSessionView(session, clock()),
        messages: messages.map((turn) => sessionMessageView(turn, session.session.startTime)),
        report,
      };
      return c.json(success(data), 200);
    })
    .openapi(endRoute, async (c) => {
      const { session_id } = c.req.valid('param');
      const { graded } = c.req.valid('json');
      const ended = await endByStaff(services, c.var.auth, session_id, graded, c.var.log);
      const row = await staffSession(db, ended.tenantId, ended.id);
      if (!row) throw notFound('Session');
      const message = graded ? 'Session ended and sent for grading' : 'Session ended without grading';
      return c.json(success(staffSessionView(row, clock()), message), 200);
    })
    .route('/', exportRoutes(services));
}
