/**
 * GET /auth/config: how the web app signs people in here. Public (the app asks
 * before anyone is signed in) and free of secrets: whether the development
 * sign-in exists, and the OpenID Connect provider and public client to use.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { json } from '../http/openapi.js';

export const signInConfigSchema = z
  .object({
    dev_sign_in: z.boolean().meta({ description: 'GET/POST /dev/sign-in exist (never in production)' }),
    oidc: z
      .object({ issuer: z.string(), client_id: z.string(), scope: z.string(), role_claim: z.string() })
      .nullable()
      .meta({ description: 'Authorization code with PKCE at this provider; null when not configured' }),
  })
  .meta({ id: 'SignInConfig' });
export type SignInConfig = z.infer<typeof signInConfigSchema>;

const configRoute = createRoute({
  method: 'get',
  path: '/config',
  tags: ['sign-in'],
  summary: 'How the web app signs in (public)',
  responses: { 200: json(signInConfigSchema, 'The sign-in methods available') },
});

/** True where the development sign-in is mounted. */
export const devSignInEnabled = ({ config }: Pick<Services, 'config'>) =>
  config.NODE_ENV !== 'production' && config.JWT_SECRET !== undefined;

export function authConfigRoutes(services: Services) {
  const { config } = services;
  const answer: SignInConfig = {
    dev_sign_in: devSignInEnabled(services),
    oidc:
      config.OIDC_ISSUER && config.OIDC_CLIENT_ID
        ? {
            issuer: config.OIDC_ISSUER,
            client_id: config.OIDC_CLIENT_ID,
            scope: config.OIDC_SCOPE,
            role_claim: config.JWT_ROLE_CLAIM,
          }
        : null,
  };
  return new OpenAPIHono<AppEnv>().openapi(configRoute, (c) => c.json(answer, 200));
}
