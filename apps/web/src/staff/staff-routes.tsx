/**
 * The instructor console's pages, under /staff, for instructors and admins.
 * A student never sees them in the navigation, and one who types the address
 * is told the page is for staff (the API answers 403 to them anyway).
 */
import type { ReactNode } from 'react';
import { Route, Switch } from 'wouter';
import { useSignIn } from '../auth/sign-in-state';
import { SessionReviewPage } from './session-review-page';
import { SessionsPage } from './sessions-page';

/** The console's sections in the shell's navigation, in order. */
export const staffNav = [{ href: '/staff/sessions', label: 'Sessions' }];

export function StaffOnly({ children }: { children: ReactNode }) {
  const signedIn = useSignIn();
  if (signedIn?.user.role === 'student') {
    return (
      <>
        <h1>For instructors</h1>
        <p role="alert">This page is for instructors and admins.</p>
      </>
    );
  }
  return <>{children}</>;
}

export function StaffRoutes() {
  return (
    <Switch>
      <Route path="/staff/sessions" component={SessionsPage} />
      <Route path="/staff/sessions/:sessionId" component={SessionReviewPage} />
      <Route>
        <h1>Page not found</h1>
      </Route>
    </Switch>
  );
}
