/** The text channel's queries: the session with its patient, and the turn's claim on the clock. */
import type { PatientEngine } from '@sp/core';
import { caseStudies, type Database, type Session, sessions } from '@sp/db';
import type { PatientCase } from '@sp/persona';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Caller } from '../app-context.js';
import { isUuid } from '../sessions/session-store.js';

export interface TextSession {
  session: Session;
  patient: PatientCase;
  /** The row version (Postgres `xmin`) the turn was judged on. */
  version: string;
}

/** The caller's own session with the case study's patient, in one round trip. */
export async function ownSessionWithPatient(
  db: Database,
  caller: Caller,
  sessionId: string,
): Promise<TextSession | null> {
  if (!isUuid(sessionId)) return null;
  const [row] = await db
    .select({
      session: sessions,
      persona: caseStudies.persona,
      facts: caseStudies.facts,
      instructions: caseStudies.instructions,
      version: sql<string>`${sessions}.xmin::text`,
    })
    .from(sessions)
    .innerJoin(caseStudies, eq(caseStudies.id, sessions.contentId))
    .where(and(eq(sessions.id, sessionId), eq(sessions.tenantId, caller.tenantId), eq(sessions.userId, caller.userId)));
  if (!row) return null;
  const { session, version, ...patient } = row;
  return { session, patient, version };
}

/**
 * Counts a text turn on the clock and marks its reply as under way, only if
 * the row is still the version the turn was judged on (`xmin` changes with
 * every update), so a racing turn, heartbeat or ending makes this write
 * nothing and the caller judges again. The student is not in the voice room
 * (a stale segment is closed here), and the reconnect window restarts now.
 */
export async function claimTextTurn(
  db: Database,
  judged: TextSession,
  turn: { at: Date; elapsed: number; engine: PatientEngine },
): Promise<Session | null> {
  const { session } = judged;
  const [row] = await db
    .update(sessions)
    .set({
      channel: 'text',
      status: 'active',
      startTime: session.startTime ?? turn.at,
      elapsedActiveTime: turn.elapsed,
      connectedSince: null,
      lastActivity: turn.at,
      lastDisconnectAt: turn.at,
      textTurnStartedAt: turn.at,
      patientEngine: turn.engine === 'scripted' || session.patientEngine === 'scripted' ? 'scripted' : 'model',
      updatedAt: sql`now()`,
    })
    .where(
      and(eq(sessions.id, session.id), ne(sessions.status, 'ended'), sql`${sessions}.xmin = ${judged.version}::xid`),
    )
    .returning();
  return row ?? null;
}

/** The reply is stored: the next text turn may come. */
export async function releaseTextTurn(db: Database, sessionId: string, startedAt: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ textTurnStartedAt: null })
    .where(and(eq(sessions.id, sessionId), eq(sessions.textTurnStartedAt, startedAt)));
}
