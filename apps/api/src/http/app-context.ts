/** What middleware puts on the Hono context for handlers: the caller and a logger about the request. */
import type { UserRole } from '@sp/core';
import type { RequestIdVariables } from 'hono/request-id';
import type { Logger } from 'pino';

/** A caller's role (core's userRoles). */
export type Role = UserRole;

export interface Caller {
  userId: string;
  tenantId: string;
  role: Role;
}

export type AppEnv = {
  Variables: RequestIdVariables & {
    auth: Caller;
    log: Logger;
  };
};
