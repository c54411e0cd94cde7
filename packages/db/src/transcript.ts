/**
 * Transcript turns: one `session_messages` row per committed user or assistant
 * message, numbered 1, 2, 3... per session across resumes. Used by the voice
 * worker and the text channel alike.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { type SessionMessage, sessionMessages, sessions } from './schema.js';

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
  channel: 'voice' | 'text';
  /** The assistant was cut off; `content` is what was actually spoken. */
  interrupted?: boolean;
  /** Latency figures for the turn, in ms. */
  metrics?: Record<string, number>;
  /** When the turn happened; the database's `now()` when absent. */
  timestamp?: Date;
}

export class UnknownSessionError extends Error {
  constructor(sessionId: string) {
    super(`session ${sessionId} does not exist`);
    this.name = 'UnknownSessionError';
  }
}

/**
 * Stores a turn under the session's next sequence number. Writers for the same
 * session queue on the session row's lock, so concurrent appends never share a
 * number nor leave a gap.
 */
export async function appendTurn(db: Database, sessionId: string, turn: Turn): Promise<SessionMessage> {
  return db.transaction(async (tx) => {
    const [locked] = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.id, sessionId))
      .for('update');
    if (!locked) throw new UnknownSessionError(sessionId);
    const [row] = await tx
      .insert(sessionMessages)
      .values({
        sessionId,
        sequence: sql`(select coalesce(max(${sessionMessages.sequence}), 0) + 1 from ${sessionMessages} where ${sessionMessages.sessionId} = ${sessionId})`,
        role: turn.role,
        content: turn.content,
        channel: turn.channel,
        interrupted: turn.interrupted ?? false,
        metrics: turn.metrics ?? null,
        ...(turn.timestamp ? { timestamp: turn.timestamp } : {}),
      })
      .returning();
    if (!row) throw new Error(`turn for session ${sessionId} was not stored`);
    return row;
  });
}

/** The session's turns in order. */
export async function loadTranscript(db: Database, sessionId: string): Promise<SessionMessage[]> {
  return db
    .select()
    .from(sessionMessages)
    .where(eq(sessionMessages.sessionId, sessionId))
    .orderBy(asc(sessionMessages.sequence));
}
