/** Development sign-in: pick one of the demo tenant's users; the API mints the token. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { ApiError, api } from '../api/client';
import { type SignedInUser, signIn, takeReturnPath } from '../auth/sign-in-state';

interface DemoUsers {
  tenant: { id: string; name: string };
  users: (SignedInUser & { email: string | null })[];
}

export function SignInPage() {
  const [, navigate] = useLocation();
  const demo = useQuery({ queryKey: ['dev-sign-in'], queryFn: () => api<DemoUsers>('/dev/sign-in'), retry: false });
  const choose = useMutation({
    mutationFn: (userId: string) =>
      api<{ token: string; user: SignedInUser }>('/dev/sign-in', { json: { user_id: userId } }),
    onSuccess: ({ token, user }) => {
      signIn({ token, user });
      navigate(takeReturnPath(), { replace: true });
    },
  });

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {demo.isPending && <p>Loading…</p>}
      {demo.error && (
        <p role="alert">
          {demo.error instanceof ApiError && demo.error.status === 404
            ? 'The demo sign-in is not available here. Sign in with your institution instead.'
            : 'The sign-in could not be loaded. Is the API running?'}
        </p>
      )}
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
