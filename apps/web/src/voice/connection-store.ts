/** The LiveKit details initialize returned, handed from the start page to the voice room (in memory only). */
import type { InitializeResponse } from '@sp/core';

const connections = new Map<string, InitializeResponse>();

export const keepConnection = (details: InitializeResponse) => connections.set(details.session.id, details);
/** Taken once: a second look (a reload) finds nothing and offers to resume instead. */
export function takeConnection(sessionId: string): InitializeResponse | null {
  const details = connections.get(sessionId) ?? null;
  connections.delete(sessionId);
  return details;
}
