/**
 * Bearer JWT authentication: HS256 with JWT_SECRET, or keys from JWKS_URL
 * for an external identity provider. The claims `sub`, `tenant_id` and `role`
 * become the typed `auth` context variable. A token must carry `exp`, live at
 * most JWT_MAX_LIFETIME_SECONDS (from `iat`, or from now without one), and
 * not be issued in the future beyond JWT_CLOCK_TOLERANCE_SECONDS; its text
 * claims follow the input rule for text (no NUL, well-formed Unicode). Then
 * its tenant must be one this platform knows: else 403 FORBIDDEN.
 */
import { DomainError, textFault, userRoles } from '@sp/core';
import { type Database, tenants } from '@sp/db';
import { eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { ApiConfig } from '../config.js';
import type { AppEnv, Caller, Role } from './app-context.js';

const claimsSchema = z.object({
  sub: z
    .string()
    .min(1)
    .max(200)
    .refine((sub) => textFault(sub) === null),
  tenant_id: z.uuid(),
  role: z.enum(userRoles),
});

/** The tenant and role wherever JWT_TENANT_CLAIM and JWT_ROLE_CLAIM say they are. */
const claimsOf = (payload: Record<string, unknown>, config: ApiConfig) =>
  claimsSchema.parse({
    sub: payload.sub,
    tenant_id: payload[config.JWT_TENANT_CLAIM],
    role: payload[config.JWT_ROLE_CLAIM],
  });

export type VerifyToken = (token: string) => Promise<Caller>;

export function tokenVerifier(config: ApiConfig): VerifyToken {
  const tolerance = config.JWT_CLOCK_TOLERANCE_SECONDS;
  const options = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    requiredClaims: ['exp'],
  };
  let verify: (token: string) => ReturnType<typeof jwtVerify>;
  if (config.JWKS_URL) {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.JWKS_URL));
    verify = (token) => jwtVerify(token, keys, options);
  } else {
    const secret = new TextEncoder().encode(config.JWT_SECRET);
    verify = (token) => jwtVerify(token, secret, { ...options, algorithms: ['HS256'] });
  }
  // A student sends every request of a session with the same token: its signature is checked once, and the
  // claims are kept until the token expires (never longer than VERIFIED_TTL_MS), in a bounded LRU cache.
  const verified = new LRUCache<string, Caller>({ max: VERIFIED_MAX });
  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    const now = Date.now();
    const { payload } = await verify(token);
    const nowSeconds = now / 1000;
    const exp = payload.exp as number;
    if (payload.iat !== undefined && payload.iat > nowSeconds + tolerance) throw new Error('iat is in the future');
    if (exp - Math.min(payload.iat ?? nowSeconds, nowSeconds) > config.JWT_MAX_LIFETIME_SECONDS) {
      throw new Error('the token lives longer than JWT_MAX_LIFETIME_SECONDS');
    }
    const claims = claimsOf(payload, config);
    const caller: Caller = { userId: claims.sub, tenantId: claims.tenant_id, role: claims.role };
    const ttl = Math.min(VERIFIED_TTL_MS, exp * 1000 - now);
    if (ttl > 0) verified.set(token, caller, { ttl });
    return caller;
  };
}

/** How many verified tokens (and known tenants) are remembered (the least recently used goes first), and for how long at most. */
const VERIFIED_MAX = 10_000;
const VERIFIED_TTL_MS = 5 * 60_000;

const unauthorized = (message: string) => new DomainError('UNAUTHORIZED', message);

/** Is this tenant registered here? A known tenant is remembered for a while; an unknown one is asked again. */
export type KnownTenant = (tenantId: string) => Promise<boolean>;

const TENANT_KNOWN_TTL_MS = 5 * 60_000;

export function tenantDirectory(db: Database): KnownTenant {
  const known = new LRUCache<string, true>({ max: VERIFIED_MAX, ttl: TENANT_KNOWN_TTL_MS });
  return async (tenantId) => {
    if (known.get(tenantId)) return true;
    const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
    if (!row) return false;
    known.set(tenantId, true);
    return true;
  };
}

/**
 * Rejects a request without a valid bearer token with 401, and one whose
 * tenant is not registered with 403 (tenants are created by an operator, never
 * on first sight of a token); otherwise sets `auth`.
 */
export function authenticate(verify: VerifyToken, knownTenant: KnownTenant): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw unauthorized('A bearer token is required');
    let caller: Caller;
    try {
      caller = await verify(match[1]);
    } catch {
      throw unauthorized('The bearer token is invalid or expired');
    }
    if (!(await knownTenant(caller.tenantId))) {
      throw new DomainError('FORBIDDEN', 'The tenant of this token is not registered on this platform', {
        tenant_id: caller.tenantId,
      });
    }
    c.set('auth', caller);
    c.set('log', c.var.log.child({ user_id: caller.userId, tenant_id: caller.tenantId }));
    await next();
  };
}

/** Lets only the given roles through; others get 403 FORBIDDEN. */
export function requireRole(...allowed: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!allowed.includes(c.var.auth.role)) {
      throw new DomainError('FORBIDDEN', `This needs one of the roles: ${allowed.join(', ')}`);
    }
    await next();
  };
}

/** Instructors and admins read their whole tenant; students only themselves. */
export const isStaff = (caller: Caller) => caller.role !== 'student';
