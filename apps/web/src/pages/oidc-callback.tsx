/** Where the OpenID Connect provider sends the student back: finish the sign-in, then return to their page. */
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { finishOidcSignIn } from '../auth/oidc';

export function OidcCallbackPage() {
  const [, navigate] = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const done = useRef(false);
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    finishOidcSignIn().then(
      (returnTo) => navigate(returnTo, { replace: true }),
      (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
    );
  }, [navigate]);
  return (
    <section className="narrow">
      <h1>Signing you in…</h1>
      {failure && (
        <>
          <p role="alert">The sign-in did not complete: {failure}</p>
          <Link href="/sign-in">Try again</Link>
        </>
      )}
    </section>
  );
}
