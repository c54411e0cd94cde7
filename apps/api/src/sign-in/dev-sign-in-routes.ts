/**
 * /dev/sign-in: the web app's development sign-in. Lists the demo tenant's
 * users and mints a token for one of them. Mounted only when NODE_ENV is not
 * production and tokens are signed with JWT_SECRET; production signs in with
 * OpenID Connect instead.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { notFound, successEnvelope, userRoles } from '@sp/core';
import { DEMO_TENANT, tenants, users } from '@sp/db';
import { and, asc, eq } from 'drizzle-orm';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { errors, json } from '../http/openapi.js';
import { signDevToken } from './dev-token.js';

/** How long a development sign-in lasts. */
const DEV_TOKEN_TTL = '12h';

const demoUserSchema = z
  .object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable(), role: z.enum(userRoles) })
  .meta({ id: 'DemoUser' });

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['development'],
  summary: "The demo tenant's users (development only)",
  responses: {
    200: json(
      successEnvelope(
        z.object({ tenant: z.object({ id: z.string(), name: z.string() }), users: z.array(demoUserSchema) }),
      ),
      'Who you can sign in as',
    ),
    ...errors({ 404: 'NOT_FOUND: the demo tenant has not been seeded (pnpm db:seed)' }),
  },
});

const signInRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['development'],
  summary: 'A bearer token for one demo user (development only)',
  request: {
    body: { ...json(z.object({ user_id: z.string().min(1).max(200) }), 'Whom to sign in as'), required: true },
  },
  responses: {
    200: json(
      successEnvelope(z.object({ token: z.string(), expires_in: z.string(), user: demoUserSchema })),
      'The token, for the Authorization header',
    ),
    ...errors({ 404: 'NOT_FOUND: no such user in the demo tenant', 422: 'VALIDATION_ERROR: user_id missing' }),
  },
});

export function devSignInRoutes({ db, config }: Services) {
  const demoUsers = (userId?: string) =>
    db
      .select({ id: users.id, name: users.name, email: users.email, role: users.role, tenantId: tenants.id })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(and(eq(tenants.slug, DEMO_TENANT.slug), userId === undefined ? undefined : eq(users.id, userId)))
      .orderBy(asc(users.id));
  const view = ({ tenantId: _, ...user }: Awaited<ReturnType<typeof demoUsers>>[number]) => user;

  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const [tenant] = await db.select().from(tenants).where(eq(tenants.slug, DEMO_TENANT.slug));
      if (!tenant) throw notFound('Demo tenant');
      const data = { tenant: { id: tenant.id, name: tenant.name }, users: (await demoUsers()).map(view) };
      return c.json(success(data), 200);
    })
    .openapi(signInRoute, async (c) => {
      const { user_id } = c.req.valid('json');
      const [user] = await demoUsers(user_id);
      if (!user) throw notFound('Demo user');
      const token = await signDevToken(
        { userId: user.id, tenantId: user.tenantId, role: user.role },
        {
          secret: config.JWT_SECRET!,
          expiresIn: DEV_TOKEN_TTL,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
          claims: { tenant: config.JWT_TENANT_CLAIM, role: config.JWT_ROLE_CLAIM },
        },
      );
      const data = { token, expires_in: DEV_TOKEN_TTL, user: view(user) };
      return c.json(success(data), 200);
    });
}
