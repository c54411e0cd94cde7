/**
 * OpenID Connect sign-in (authorization code with PKCE, oidc-client-ts), when
 * the API names a provider in GET /auth/config. The ID token becomes the
 * bearer token, which the API verifies with the provider's keys (JWKS_URL).
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { type SignedInUser, signIn } from './sign-in-state';

export interface SignInConfig {
  dev_sign_in: boolean;
  oidc: { issuer: string; client_id: string; scope: string; role_claim: string } | null;
}

export const fetchSignInConfig = async (): Promise<SignInConfig> => {
  const res = await fetch('/auth/config');
  if (!res.ok) throw new Error(`the sign-in settings could not be read (${res.status})`);
  return (await res.json()) as SignInConfig;
};

export const CALLBACK_PATH = '/auth/callback';

function userManager(oidc: NonNullable<SignInConfig['oidc']>) {
  return new UserManager({
    authority: oidc.issuer,
    client_id: oidc.client_id,
    redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
    response_type: 'code',
    scope: oidc.scope,
    // The session's tab only, like the token itself.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
  });
}

/** Leaves for the provider; `returnTo` is where the student comes back to. */
export async function startOidcSignIn(oidc: NonNullable<SignInConfig['oidc']>, returnTo: string) {
  await userManager(oidc).signinRedirect({ state: { returnTo } });
}

/** On the callback page: trades the code for tokens and signs in; returns where to go next. */
export async function finishOidcSignIn(): Promise<string> {
  const config = await fetchSignInConfig();
  if (!config.oidc) throw new Error('OpenID Connect is not configured');
  const user = await userManager(config.oidc).signinRedirectCallback();
  if (!user.id_token) throw new Error('the provider returned no ID token');
  const role = user.profile[config.oidc.role_claim] as SignedInUser['role'];
  signIn({ token: user.id_token, user: { id: user.profile.sub, name: user.profile.name ?? null, role } });
  const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo;
  return returnTo?.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
}

/** Forgets the provider's tokens in this tab (the provider's own session is left to it). */
export async function forgetOidcUser() {
  const config = await fetchSignInConfig().catch(() => null);
  if (config?.oidc) await userManager(config.oidc).removeUser();
}
