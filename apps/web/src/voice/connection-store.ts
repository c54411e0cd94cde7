/** The LiveKit details initialize returned, handed from the start page to the voice room (in memory only). */
import type { InitializeResponse } from '@sp/core';

const connections = new Map<string, InitializeResponse>();

export const keepConnection = (details: InitializeResponse) => connections.set(details.session.id, details);

/** The details of this page load's initialize; a reload (or another tab) finds none and offers to resume. */
export const connectionFor = (sessionId: string): InitializeResponse | null => connections.get(sessionId) ?? null;

/** Used up once the room is left: a return goes through a resume, which opens a new room. */
export const dropConnection = (sessionId: string) => connections.delete(sessionId);
