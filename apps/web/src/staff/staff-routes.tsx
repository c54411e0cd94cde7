/**
 * The instructor console's pages, under /staff, for instructors and admins.
 * A student never sees them in the navigation, and one who types the address
 * is told the page is for staff (the API answers 403 to them anyway).
 */
import type { ReactNode } from 'react';
import { Route, Switch } from 'wouter';
import { useSignIn } from '../auth/sign-in-state';
import { CaseEditorPage } from '../authoring/case-editor-page';
import { CaseListPage } from '../authoring/case-list-page';
import { CohortPage } from './cohort-page';
import { SessionReviewPage } from './session-review-page';
import { SessionsPage } from './sessions-page';
import { StudentPage, StudentsPage } from './students-page';

/** The console's sections in the shell's navigation, in order. */
export const staffNav = [
  { href: '/staff/sessions', label: 'Sessions' },
  { href: '/staff/cohort', label: 'Cohort' },
  { href: '/staff/students', label: 'Students' },
  { href: '/staff/cases', label: 'Authoring' },
];

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
      <Route path="/staff/cohort" component={CohortPage} />
      <Route path="/staff/cohort/:caseId" component={CohortPage} />
      <Route path="/staff/students" component={StudentsPage} />
      <Route path="/staff/students/:userId" component={StudentPage} />
      <Route path="/staff/cases" component={CaseListPage} />
      <Route path="/staff/cases/:caseId" component={CaseEditorPage} />
      <Route>
        <h1>Page not found</h1>
      </Route>
    </Switch>
  );
}
