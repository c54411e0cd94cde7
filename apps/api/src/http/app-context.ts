/** What middleware puts on the Hono context for handlers: the caller and a logger about the request. */
import type { RequestIdVariables } from 'hono/request-id';
import type { Logger } from 'pino';

export const roles = ['student', 'instructor', 'admin'] as const;
export type Role = (typeof roles)[number];

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
