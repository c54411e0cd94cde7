/**
 * Transcript turns: one `session_messages` row per committed user or assistant
 * message, numbered 1, 2, 3... per session across resumes. Used by the voice
 * worker and the text channel alike.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { hasErrorCode, SQLSTATE } from './postgres-errors.js';
import { preparedFor } from './prepared.js';
import { type SessionMessage, sessionMessages } from './schema.js';

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
 * A turn is stored under the session's next sequence number: the INSERT reads
 * it from the committed turns itself, and the unique (session_id, sequence)
 * index settles any race: a writer whose insert did nothing (the number was
 * just taken) tries again with the number after the winner's. So concurrent
 * writers never share a number nor leave a gap, and the usual case is one
 * round trip. Every committed turn of every call goes through here, so the
 * statement is prepared.
 */
const insertTurn = preparedFor((db: Writer) =>
  db
    .insert(sessionMessages)
    .values({
      sessionId: sql.placeholder('sessionId'),
      sequence: sql`(select coalesce(max(${sessionMessages.sequence}), 0) + 1 from ${sessionMessages}
        where ${sessionMessages.sessionId} = ${sql.placeholder('sessionId')})`,
      role: sql.placeholder('role'),
      content: sql.placeholder('content'),
      channel: sql.placeholder('channel'),
      interrupted: sql.placeholder('interrupted'),
      metrics: sql`${sql.placeholder('metrics')}::jsonb`,
      timestamp: sql`coalesce(${sql.placeholder('timestamp')}::timestamptz, now())`,
    })
    .onConflictDoNothing({ target: [sessionMessages.sessionId, sessionMessages.sequence] })
    .returning()
    .prepare('transcript_append_turn'),
);

/** The database, or a transaction the turn commits with. */
type Writer = Pick<Database, 'insert'>;

/** Stores a turn under the session's next sequence number. */
export async function appendTurn(db: Writer, sessionId: string, turn: Turn): Promise<SessionMessage> {
  try {
    for (;;) {
      const [row] = await insertTurn(db).execute({
        sessionId,
        role: turn.role,
        content: turn.content,
        channel: turn.channel,
        interrupted: turn.interrupted ?? false,
        metrics: turn.metrics ? JSON.stringify(turn.metrics) : null,
        timestamp: turn.timestamp?.toISOString() ?? null,
      });
      if (row) return row;
    }
  } catch (error) {
    if (hasErrorCode(error, SQLSTATE.foreignKeyViolation)) throw new UnknownSessionError(sessionId);
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
