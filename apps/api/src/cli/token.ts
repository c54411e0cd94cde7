/**
 * `pnpm -s dev-token --role student` prints a bearer token for the local API,
 * signed with JWT_SECRET (or the dev default). Development only: it refuses
 * to run with NODE_ENV=production. The script is not called `token` because
 * pnpm hands `pnpm token` to `npm token` instead of running a script.
 */
import { parseArgs } from 'node:util';
import { userRoles } from '@sp/core';
import { DEMO_TENANT, DEMO_USERS } from '@sp/db';
import { exitOnConfigError, loadProcessEnvFile } from '@sp/runtime';
import { z } from 'zod';
import { apiConfigSchema } from '../config.js';
import { signDevToken } from '../sign-in/dev-token.js';

const USAGE = `Usage: pnpm -s dev-token [--role student|instructor|admin] [--user <id>] [--tenant <uuid>] [--ttl 12h]

Prints a development bearer token for the API (and nothing else, with -s):
  TOKEN=$(pnpm -s dev-token --role student)

  --role    the caller's role (default: student)
  --user    the token's sub (default: the seeded demo user of that role)
  --tenant  the tenant id (default: the seeded demo tenant, ${DEMO_TENANT.id})
  --ttl     lifetime, a span such as 90s, 30m or 12h (default: 12h)

Signed with JWT_SECRET (or the dev default); refused when NODE_ENV=production.
Note: \`pnpm token\` is npm's own command, not this one.`;

function fail(message: string): never {
  console.error(`dev-token: ${message}`);
  process.exit(1);
}

exitOnConfigError(loadProcessEnvFile);
if (process.env.NODE_ENV === 'production') {
  fail('development only; it refuses to run with NODE_ENV=production');
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string', default: 'student' },
      user: { type: 'string' },
      tenant: { type: 'string', default: DEMO_TENANT.id },
      ttl: { type: 'string', default: '12h' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)} (see --help)`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const args = z
  .object({ role: z.enum(userRoles), user: z.string().min(1).optional(), tenant: z.uuid(), ttl: z.string().min(1) })
  .safeParse(values);
if (!args.success) {
  const issue = args.error.issues[0];
  fail(`--${issue?.path.join('.')}: ${issue?.message}`);
}
const { role, tenant, ttl } = args.data;
const userId = args.data.user ?? DEMO_USERS.find((u) => u.role === role)?.id ?? `demo-${role}`;
const parsed = apiConfigSchema.safeParse(process.env);
if (!parsed.success) {
  const issue = parsed.error.issues[0];
  fail(`configuration error: ${issue?.path.join('.')}: ${issue?.message}`);
}
const config = parsed.data;
if (!config.JWT_SECRET) {
  fail('JWT_SECRET is unset (JWKS_URL is in use); get a token from your identity provider');
}
const token = await signDevToken(
  { userId, tenantId: tenant, role },
  { secret: config.JWT_SECRET, expiresIn: ttl, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
).catch((error: unknown) => fail(`--ttl: ${error instanceof Error ? error.message : String(error)}`));
console.log(token);
