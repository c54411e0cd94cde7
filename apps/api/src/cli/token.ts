/**
 * `pnpm -s token --role student [--user demo-student] [--tenant <uuid>] [--ttl 12h]`
 * prints a bearer token for the local API, signed with JWT_SECRET (or the dev
 * default). Development only: it refuses to run with NODE_ENV=production.
 */
import { parseArgs } from 'node:util';
import { DEMO_TENANT, DEMO_USERS } from '@sp/db';
import { z } from 'zod';
import { roles } from '../app-context.js';
import { apiConfigSchema } from '../config.js';
import { signDevToken } from '../dev-token.js';

if (process.env.NODE_ENV === 'production') {
  console.error('pnpm token is for development only and refuses to run with NODE_ENV=production');
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'student' },
    user: { type: 'string' },
    tenant: { type: 'string', default: DEMO_TENANT.id },
    ttl: { type: 'string', default: '12h' },
  },
});

const args = z
  .object({ role: z.enum(roles), user: z.string().min(1).optional(), tenant: z.uuid(), ttl: z.string().min(1) })
  .safeParse(values);
if (!args.success) {
  const issue = args.error.issues[0];
  console.error(`token: --${issue?.path.join('.')}: ${issue?.message}`);
  process.exit(1);
}
const { role, tenant, ttl } = args.data;
const userId = args.data.user ?? DEMO_USERS.find((u) => u.role === role)?.id ?? `demo-${role}`;
const config = apiConfigSchema.parse(process.env);
if (!config.JWT_SECRET) {
  console.error('token: JWT_SECRET is unset (JWKS_URL is in use); get a token from your identity provider');
  process.exit(1);
}
const token = await signDevToken(
  { userId, tenantId: tenant, role },
  { secret: config.JWT_SECRET, expiresIn: ttl, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
);
console.log(token);
