/** The shell: a skip link, the navigation, who is signed in, and the pages. */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { CALLBACK_PATH, forgetOidcUser } from './auth/oidc';
import { signOut, useSignIn } from './auth/sign-in-state';
import { CasesPage } from './pages/cases';
import { MySessionsPage } from './pages/my-sessions';
import { OidcCallbackPage } from './pages/oidc-callback';
import { ReportPage } from './pages/report';
import { SignInPage } from './pages/sign-in';
import { StartPage } from './pages/start';
import { StudyAssistantPage } from './pages/study-assistant';
import { TextSessionPage } from './pages/text-session';
import { VoiceRoomPage } from './pages/voice-room';
import { StaffOnly, StaffRoutes, staffNav } from './staff/staff-routes';

export function App() {
  const signedIn = useSignIn();
  const [location] = useLocation();
  const queryClient = useQueryClient();
  // Nothing cached for one user is shown to the next.
  useEffect(() => {
    if (!signedIn) queryClient.clear();
  }, [signedIn, queryClient]);

  if (!signedIn && location !== '/sign-in' && location !== CALLBACK_PATH) {
    return <Redirect to="/sign-in" replace />;
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Patient practice
        </Link>
        {signedIn && (
          <nav aria-label="Main">
            <NavLink href="/">Cases</NavLink>
            {signedIn.user.role === 'student' ? (
              <>
                <NavLink href="/sessions">My sessions</NavLink>
                <NavLink href="/assistant">Study assistant</NavLink>
              </>
            ) : (
              staffNav.map((item) => (
                <NavLink key={item.href} href={item.href}>
                  {item.label}
                </NavLink>
              ))
            )}
            <button
              type="button"
              className="link"
              onClick={() => {
                signOut();
                void forgetOidcUser();
              }}
            >
              Sign out <span className="visually-hidden">{signedIn.user.name ?? signedIn.user.id}</span>
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path={CALLBACK_PATH} component={OidcCallbackPage} />
          <Route path="/sign-in">{signedIn ? <Redirect to="/" replace /> : <SignInPage />}</Route>
          <Route path="/" component={CasesPage} />
          <Route path="/cases/:caseId/start/:mode" component={StartPage} />
          <Route path="/sessions" component={MySessionsPage} />
          <Route path="/sessions/:sessionId/text" component={TextSessionPage} />
          <Route path="/sessions/:sessionId/voice" component={VoiceRoomPage} />
          <Route path="/sessions/:sessionId/report" component={ReportPage} />
          <Route path="/assistant" component={StudyAssistantPage} />
          <Route path="/staff/*">
            <StaffOnly>
              <StaffRoutes />
            </StaffOnly>
          </Route>
          <Route>
            <h1>Page not found</h1>
            <Link href="/">Back to the cases</Link>
          </Route>
        </Switch>
      </main>
    </>
  );
}

function NavLink({ href, children }: { href: string; children: string }) {
  const [location] = useLocation();
  // A staff section is current on its own pages too (a session under Sessions).
  const current = location === href || (href.startsWith('/staff/') && location.startsWith(`${href}/`));
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
