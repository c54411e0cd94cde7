/**
 * Transcript turns: one `session_messages` row per committed user or assistant
 * message, numbered 1, 2, 3... per session across resumes. Used by the voice
 * worker and the text channel alike.
 */
import { asc, eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { type SessionMessage, sessionMessages } from './schema.js';
import { insertInSequence, nextSequenceSql } from './sequence.js';

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

/** Postgres: insert or update on table violates foreign key constraint. */
const FOREIGN_KEY_VIOLATION = '23503';

/** Stores a turn under the session's next sequence number (see sequence.ts). */
export async function appendTurn(db: Database, sessionId: string, turn: Turn): Promise<SessionMessage> {
  try {
    return await insertInSequence(() =>
      db
        .insert(sessionMessages)
        .values({
          sessionId,
          sequence: nextSequenceSql(sessionMessages, sessionMessages.sequence, sessionMessages.sessionId, sessionId),
          role: turn.role,
          content: turn.content,
          channel: turn.channel,
          interrupted: turn.interrupted ?? false,
          metrics: turn.metrics ?? null,
          ...(turn.timestamp ? { timestamp: turn.timestamp } : {}),
        })
        .onConflictDoNothing({ target: [sessionMessages.sessionId, sessionMessages.sequence] })
        .returning(),
    );
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    if (code === FOREIGN_KEY_VIOLATION) throw new UnknownSessionError(sessionId);
    throw error;
  }
}

/** The session's turns in order. */
export async function loadTranscript(db: Database, sessionId: string): Promise<SessionMessage[]> {
  return db
    .select()
    .from(sessionMessages)
    .where(eq(sessionMessages.sessionId, sessionId))
    .orderBy(asc(sessionMessages.sequence));
}
