/**
 * The session in progress for each case, remembered in the browser, so a
 * student who reloads, loses the connection or comes back later is offered
 * to resume it. Nothing here ever ends a session.
 */
import type { SessionChannel } from '@sp/core';

/** How the student takes part: the session's channel. */
export type SessionMode = SessionChannel;

export interface RememberedSession {
  sessionId: string;
  mode: SessionMode;
}

const KEY = 'sp.sessions-in-progress';

function readAll(): Record<string, RememberedSession> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, RememberedSession>;
  } catch {
    return {};
  }
}

export function rememberSession(caseId: string, sessionId: string, mode: SessionMode) {
  localStorage.setItem(KEY, JSON.stringify({ ...readAll(), [caseId]: { sessionId, mode } }));
}

export function rememberedSession(caseId: string): RememberedSession | null {
  return readAll()[caseId] ?? null;
}

export function forgetSession(sessionId: string) {
  const all = readAll();
  for (const [caseId, remembered] of Object.entries(all)) if (remembered.sessionId === sessionId) delete all[caseId];
  localStorage.setItem(KEY, JSON.stringify(all));
}

/**
 * Sessions this page load started or resumed. A session page opened any other
 * way (a reload, a bookmark, another tab) offers to resume first.
 */
const attached = new Set<string>();
export const attach = (sessionId: string) => attached.add(sessionId);
export const isAttached = (sessionId: string) => attached.has(sessionId);
