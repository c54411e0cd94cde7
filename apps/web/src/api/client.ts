/**
 * Calls to the API: JSON in, the `{ success, data }` envelope out, and every
 * failure as an ApiError carrying the contract's status, code and details.
 * An expired or refused token signs the student out and remembers the page.
 */
import type { ErrorCode } from '@sp/core';
import { currentSignIn, signOut } from '../auth/sign-in-state';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK_ERROR',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function authHeaders(): Record<string, string> {
  const signedIn = currentSignIn();
  return signedIn ? { authorization: `Bearer ${signedIn.token}` } : {};
}

/** Turns a failed answer into an ApiError (and a 401 into a sign-out). */
export async function failureOf(res: Response): Promise<ApiError> {
  let body: { message?: string; error?: { code?: ErrorCode; details?: Record<string, unknown> } } = {};
  try {
    body = await res.json();
  } catch {}
  if (res.status === 401 && currentSignIn()) signOut(window.location.pathname + window.location.search);
  return new ApiError(
    res.status,
    body.error?.code ?? 'INTERNAL_ERROR',
    body.message ?? `The server answered ${res.status}`,
    body.error?.details ?? {},
  );
}

/** fetch that turns "could not reach the server" into an ApiError too. */
export async function send(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(path, { ...init, headers: { ...authHeaders(), ...init.headers } });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached. Check your connection and try again.');
  }
}

/** The whole answer body of a successful call. */
export async function apiBody<T>(path: string, options: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await send(path, {
    method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
    headers: options.json === undefined ? {} : { 'content-type': 'application/json' },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  if (!res.ok) throw await failureOf(res);
  return (await res.json()) as T;
}

/** The `data` of a successful call. */
export async function api<T>(path: string, options: { method?: string; json?: unknown } = {}): Promise<T> {
  return (await apiBody<{ data: T }>(path, options)).data;
}
