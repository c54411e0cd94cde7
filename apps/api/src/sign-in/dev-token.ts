/** Mints HS256 tokens with the claims the API expects: for `pnpm dev-token` and tests, never production. */
import { SignJWT } from 'jose';
import type { Caller } from '../http/app-context.js';

export interface DevTokenOptions {
  secret: string;
  /** Seconds or a jose time span such as '12h'. */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  /** Where the tenant and role go (JWT_TENANT_CLAIM, JWT_ROLE_CLAIM); `tenant_id` and `role` by default. */
  claims?: { tenant: string; role: string };
}

export async function signDevToken(caller: Caller, options: DevTokenOptions): Promise<string> {
  const { tenant = 'tenant_id', role = 'role' } = options.claims ?? {};
  const jwt = new SignJWT({ [tenant]: caller.tenantId, [role]: caller.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(caller.userId)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
