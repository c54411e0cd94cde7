/**
 * Sign-in: OpenID Connect when the API names a provider, and in development a
 * list of the demo tenant's users (the API mints their tokens).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { api } from '../api/client';
import { fetchSignInConfig, startOidcSignIn } from '../auth/oidc';
import { type SignedInUser, signIn, takeReturnPath } from '../auth/sign-in-state';

interface DemoUsers {
  tenant: { id: string; name: string };
  users: (SignedInUser & { email: string | null })[];
}

export function SignInPage() {
  const [, navigate] = useLocation();
  const config = useQuery({ queryKey: ['sign-in-config'], queryFn: fetchSignInConfig, retry: false });
  const devSignIn = config.data?.dev_sign_in === true;
  const demo = useQuery({
    queryKey: ['dev-sign-in'],
    queryFn: () => api<DemoUsers>('/dev/sign-in'),
    retry: false,
    enabled: devSignIn,
  });
  const choose = useMutation({
    mutationFn: (userId: string) =>
      api<{ token: string; user: SignedInUser }>('/dev/sign-in', { json: { user_id: userId } }),
    onSuccess: ({ token, user }) => {
      signIn({ token, user });
      navigate(takeReturnPath(), { replace: true });
    },
  });
  const oidc = useMutation({
    mutationFn: (settings: NonNullable<NonNullable<typeof config.data>['oidc']>) =>
      startOidcSignIn(settings, takeReturnPath()),
  });

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {config.isPending && <p>Loading…</p>}
      {config.error && <p role="alert">The sign-in could not be loaded. Is the API running?</p>}
      {config.data && !config.data.oidc && !devSignIn && (
        <p role="alert">No way to sign in is configured here. Ask your administrator.</p>
      )}
      {config.data?.oidc && (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={oidc.isPending}
            onClick={() => oidc.mutate(config.data.oidc!)}
          >
            Sign in with your institution
          </button>
          {oidc.error && <p role="alert">The sign-in could not start: {oidc.error.message}</p>}
        </div>
      )}
      {demo.error && <p role="alert">The demo users could not be loaded: {demo.error.message}</p>}
      {demo.data && (
        <>
          <p>
            Development sign-in for <strong>{demo.data.tenant.name}</strong>. Choose who you are:
          </p>
          <ul className="choices">
            {demo.data.users.map((user) => (
              <li key={user.id}>
                <button type="button" disabled={choose.isPending} onClick={() => choose.mutate(user.id)}>
                  Sign in as {user.name ?? user.id} <span className="muted">({user.role})</span>
                </button>
              </li>
            ))}
          </ul>
          {choose.error && <p role="alert">{choose.error.message}</p>}
        </>
      )}
    </section>
  );
}
