/**
 * GET /v1/sessions/{session_id}/report: the grade report of an ended session.
 * The owner and the tenant's staff may read it; to anyone else it does not
 * exist (404). 200 once completed or failed, 202 with the status while
 * grading; `wait_for_completion=true` holds the request (up to
 * `timeout_seconds`, 1–120) until the report is done, woken by Postgres
 * NOTIFY, never by polling. A session that has not ended answers 409 SESSION_ACTIVE.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { DomainError, gradeReportSchema, isTerminal, notFound, reportStatusSchema, successEnvelope } from '@sp/core';
import { ReportNotifications, reportView, type SessionReport, sqlOf, visibleReport } from '@sp/grading';
import type { AppEnv } from '../http/app-context.js';
import { isStaff } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import { isUuid, sessionIdParam } from '../http/params.js';

export const DEFAULT_WAIT_SECONDS = 30;

const reportQuerySchema = z.object({
  wait_for_completion: z
    .enum(['true', 'false'])
    .default('false')
    .meta({ description: 'Hold the request until grading is done or timeout_seconds passes' }),
  timeout_seconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(120)
    .default(DEFAULT_WAIT_SECONDS)
    .meta({ description: 'Long-poll limit, 1–120 seconds' }),
});

const gradingStatusSchema = z
  .object({ session_id: z.uuid(), status: reportStatusSchema })
  .meta({ id: 'GradingStatus', description: 'Grading has not finished yet' });

const reportRoute = createRoute({
  method: 'get',
  path: '/{session_id}/report',
  tags: ['reports'],
  summary: "A session's grade report (optionally waiting for it)",
  security,
  request: {
    params: sessionIdParam,
    query: reportQuerySchema,
  },
  responses: {
    200: json(successEnvelope(gradeReportSchema), 'The report: completed, or failed with its error'),
    202: json(successEnvelope(gradingStatusSchema), 'Still pending or running (also when a long-poll timed out)'),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such session for this caller, or it has no report',
      409: 'SESSION_ACTIVE: the session has not ended, so there is no report yet (details.session_id, details.session_status)',
      422: 'VALIDATION_ERROR: timeout_seconds outside 1–120, or a bad wait_for_completion',
    }),
  },
});

/** Nothing more to wait for: gone, not ended, no report, or a terminal report. */
const settled = (found: SessionReport | null) =>
  !found?.report || found.sessionStatus !== 'ended' || isTerminal(found.report.status);

export function reportRoutes({ db, config }: Services) {
  const notifications = new ReportNotifications(sqlOf(db), { recheckMs: config.REPORT_WAIT_RECHECK_SECONDS * 1000 });
  return new OpenAPIHono<AppEnv>().openapi(reportRoute, async (c) => {
    const { session_id } = c.req.valid('param');
    const { wait_for_completion, timeout_seconds } = c.req.valid('query');
    const caller = c.var.auth;
    const viewer = { tenantId: caller.tenantId, userId: isStaff(caller) ? undefined : caller.userId };
    const read = async () => (isUuid(session_id) ? visibleReport(db, session_id, viewer) : null);
    const found =
      wait_for_completion === 'true' && isUuid(session_id)
        ? await notifications.until(session_id, read, settled, timeout_seconds * 1000, c.req.raw.signal)
        : await read();
    if (!found) throw notFound('Session');
    if (found.sessionStatus !== 'ended') {
      throw new DomainError('SESSION_ACTIVE', 'The session has not ended yet, so it has no report', {
        session_id,
        session_status: found.sessionStatus,
      });
    }
    if (!found.report) throw notFound('Report');
    const { report } = found;
    if (!isTerminal(report.status)) {
      const data = { session_id, status: report.status };
      return c.json(success(data, `Grading is ${report.status}`), 202);
    }
    return c.json(success(reportView(report)), 200);
  });
}
