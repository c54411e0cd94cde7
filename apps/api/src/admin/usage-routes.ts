/**
 * GET /v1/usage: active minutes of ended sessions, per tenant and optionally
 * per student, case and day (the day the session ended, UTC). Minutes are
 * rounded up per session, beside the raw seconds. Instructors and admins see
 * their tenant; a student sees only their own usage.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { DomainError, dateBound, endOf, fromAfterTo, fromNotAfterTo, startOf, successEnvelope } from '@sp/core';
import { type SQL, sql } from 'drizzle-orm';
import type { AppEnv } from '../http/app-context.js';
import { isStaff } from '../http/auth.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';

export const usageGroupings = ['student', 'case', 'day'] as const;

const usageQuerySchema = z
  .object({
    from: dateBound.optional().meta({ description: 'Sessions that ended on or after this day or instant (ISO 8601)' }),
    to: dateBound.optional().meta({ description: 'Sessions that ended on or before this day or instant (ISO 8601)' }),
    group_by: z
      .string()
      .max(100)
      .optional()
      .transform((value, ctx) => {
        const parts = value ? value.split(',').map((part) => part.trim()) : [];
        const unknown = parts.filter((part) => !(usageGroupings as readonly string[]).includes(part));
        if (unknown.length > 0) {
          ctx.addIssue({ code: 'custom', message: `unknown grouping ${unknown.join(', ')}; use student, case, day` });
          return z.NEVER;
        }
        return usageGroupings.filter((g) => parts.includes(g));
      })
      .meta({
        description:
          'Comma-separated: `student`, `case`, `day` (UTC day the session ended). None: one row for the tenant',
        example: 'student,day',
      }),
    user_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "Only this student's sessions (a student may name only themselves)" }),
    content_id: z.string().min(1).max(200).optional().meta({ description: 'Only this case study (its id)' }),
  })
  .refine(fromNotAfterTo, fromAfterTo);

const usageRowSchema = z.object({
  tenant_id: z.string(),
  user_id: z.string().optional().meta({ description: 'With group_by student' }),
  content_id: z.string().optional().meta({ description: 'With group_by case' }),
  day: z.iso.date().optional().meta({ description: 'With group_by day: the UTC day the sessions ended' }),
  sessions: z.number().int(),
  active_seconds: z.number().meta({ description: 'Raw active seconds, summed' }),
  minutes: z.number().int().meta({ description: 'Active minutes, each session rounded up, summed' }),
});

const usageSchema = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    group_by: z.array(z.enum(usageGroupings)),
    rows: z.array(usageRowSchema),
    totals: usageRowSchema.pick({ sessions: true, active_seconds: true, minutes: true }),
  })
  .meta({ id: 'Usage' });

const usageRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['usage'],
  summary: 'Active minutes of ended sessions, by student, case and day',
  description:
    'Counts sessions that ended (a session that never started, `pending_timeout`, has no active time and is left ' +
    'out). Minutes are per session, rounded up (61 s is 2 minutes), then summed; `active_seconds` is the raw sum.',
  security,
  request: { query: usageQuerySchema },
  responses: {
    200: json(successEnvelope(usageSchema), 'Usage rows and their totals'),
    ...errors({
      ...authErrors,
      403: "FORBIDDEN: a student asking for another student's usage, or the token's tenant is not registered",
      422: 'VALIDATION_ERROR: a bad date, range or grouping',
    }),
  },
});

type UsageRow = {
  tenant_id: string;
  user_id?: string;
  content_id?: string;
  day?: string;
  sessions: number;
  active_seconds: number;
  minutes: number;
};

export function usageRoutes({ db }: Services) {
  return new OpenAPIHono<AppEnv>().openapi(usageRoute, async (c) => {
    const q = c.req.valid('query');
    const caller = c.var.auth;
    if (!isStaff(caller) && q.user_id !== undefined && q.user_id !== caller.userId) {
      throw new DomainError('FORBIDDEN', 'Students can see only their own usage');
    }
    const userId = isStaff(caller) ? q.user_id : caller.userId;
    const groups = q.group_by ?? [];
    const columns: Record<(typeof usageGroupings)[number], SQL> = {
      student: sql`user_id`,
      case: sql`content_id::text`,
      day: sql`to_char(end_time at time zone 'UTC', 'YYYY-MM-DD')`,
    };
    const names = { student: 'user_id', case: 'content_id', day: 'day' } as const;
    const selected = groups.map((g) => sql`${columns[g]} as ${sql.identifier(names[g])}`);
    const where = [
      sql`tenant_id = ${caller.tenantId}`,
      sql`status = 'ended'`,
      sql`end_reason <> 'pending_timeout'`,
      // An author trying a case is not usage by students.
      sql`not preview`,
      q.from ? sql`end_time >= ${startOf(q.from).toISOString()}::timestamptz` : undefined,
      q.to ? sql`end_time <= ${endOf(q.to).toISOString()}::timestamptz` : undefined,
      userId ? sql`user_id = ${userId}` : undefined,
      q.content_id ? sql`content_id::text = ${q.content_id}` : undefined,
    ].filter((part): part is SQL => part !== undefined);
    const grouping = [sql`tenant_id`, ...groups.map((g) => columns[g])];
    const rows = await db.execute<UsageRow>(sql`
      select tenant_id::text as tenant_id, ${sql.join([...selected, sql``], sql`, `)}
        count(*)::int as sessions,
        coalesce(sum(elapsed_active_time), 0)::float8 as active_seconds,
        coalesce(sum(ceil(elapsed_active_time / 60)), 0)::int as minutes
      from sessions
      where ${sql.join(where, sql` and `)}
      group by ${sql.join(grouping, sql`, `)}
      order by ${sql.join(grouping, sql`, `)}`);
    const data = {
      from: q.from ?? null,
      to: q.to ?? null,
      group_by: groups,
      rows: rows.map((row) => ({ ...row, active_seconds: Math.round(row.active_seconds * 1000) / 1000 })),
      totals: {
        sessions: rows.reduce((sum, row) => sum + row.sessions, 0),
        active_seconds: Math.round(rows.reduce((sum, row) => sum + row.active_seconds, 0) * 1000) / 1000,
        minutes: rows.reduce((sum, row) => sum + row.minutes, 0),
      },
    };
    return c.json(success(data), 200);
  });
}
