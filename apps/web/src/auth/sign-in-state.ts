/**
 * Who is signed in: the bearer token and the user it was minted for. Kept in
 * memory and in session storage (so a reload keeps the student signed in),
 * never in a URL or local storage.
 */
import type { UserRole } from '@sp/core';
import { useSyncExternalStore } from 'react';

export interface SignedInUser {
  id: string;
  name: string | null;
  role: UserRole;
}

export interface SignIn {
  token: string;
  user: SignedInUser;
}

const KEY = 'sp.sign-in';
/** Where the student was when the sign-in ran out, to take them back afterwards. */
const RETURN_KEY = 'sp.return-to';

let current: SignIn | null = read();
const listeners = new Set<() => void>();

function read(): SignIn | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as SignIn) : null;
  } catch {
    return null;
  }
}

export function currentSignIn(): SignIn | null {
  return current;
}

export function signIn(next: SignIn) {
  current = next;
  sessionStorage.setItem(KEY, JSON.stringify(next));
  for (const listener of listeners) listener();
}

/** Signs out; with `returnTo`, the sign-in page brings the student back there. */
export function signOut(returnTo?: string) {
  current = null;
  sessionStorage.removeItem(KEY);
  if (returnTo) sessionStorage.setItem(RETURN_KEY, returnTo);
  for (const listener of listeners) listener();
}

/** The page to go to after signing in (once), or the cases page. */
export function takeReturnPath(): string {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return path?.startsWith('/') && !path.startsWith('//') ? path : '/';
}

export function useSignIn(): SignIn | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
