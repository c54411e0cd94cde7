/**
 * The active-time clock as the worker writes it: a segment opens when the
 * student is with the agent, a heartbeat rewrites the running total, a
 * disconnect closes the segment. Each is one conditional UPDATE evaluated at the
 * database's `now()`, and none touches an ended session. Reads use
 * `activeTime` (@sp/core) / `liveElapsedSql`, which freeze a segment whose
 * heartbeats went stale.
 */
import { and, eq, isNotNull, ne, type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { preparedFor } from './prepared.js';
import { type Session, sessions } from './schema.js';

/** Which session, and optionally which room: a worker in a room the session has moved away from writes nothing. */
export interface ClockTarget {
  sessionId: string;
  roomName?: string;
}

/**
 * The running total as of `until`: the segment's base plus the time since it opened, never above the
 * limit, in whole milliseconds (as `activeTime` counts it).
 */
const runningElapsedUntil = (until: SQL) => sql`round(least(${sessions.durationLimit}::float8,
  ${sessions.segmentBase} + greatest(0, extract(epoch from (${until} - ${sessions.connectedSince})))::float8)::numeric, 3)::float8`;
const runningElapsedSql = runningElapsedUntil(sql`now()`);

function targetWhere(target: ClockTarget, ...conditions: SQL[]): SQL {
  return and(
    eq(sessions.id, target.sessionId),
    ...(target.roomName ? [eq(sessions.roomName, target.roomName)] : []),
    ...conditions,
  ) as SQL;
}

/**
 * The student is with the agent: the session becomes active (`start_time` set
 * once) and a segment opens now. A segment left open by a worker that died
 * counts only up to its last heartbeat: the new segment starts from the total
 * that heartbeat wrote. Returns null when the session has ended, moved rooms,
 * or moved to the text channel.
 */
export async function openSegment(db: Database, target: ClockTarget): Promise<Session | null> {
  const [row] = await db
    .update(sessions)
    .set({
      status: 'active',
      startTime: sql`coalesce(${sessions.startTime}, now())`,
      connectedSince: sql`now()`,
      segmentBase: sql`${sessions.elapsedActiveTime}`,
      lastActivity: sql`now()`,
      patientEngine: sql`coalesce(${sessions.patientEngine}, 'model')`,
      updatedAt: sql`now()`,
    })
    // A session on the text channel comes back to voice only through a resume.
    .where(targetWhere(target, ne(sessions.status, 'ended'), eq(sessions.channel, 'voice')))
    .returning();
  return row ?? null;
}

/**
 * Persists the running total while the segment is open. Returns null when
 * nothing was written: the session ended, moved to another room, or has no
 * open segment; the caller reads the row to learn which.
 */
export async function heartbeat(db: Database, target: ClockTarget): Promise<Session | null> {
  const statement = target.roomName ? heartbeatInRoom(db) : heartbeatAnyRoom(db);
  const [row] = await statement.execute({ sessionId: target.sessionId, roomName: target.roomName });
  return row ?? null;
}

/** Every few seconds for every call, so prepared (with and without the room condition). */
const heartbeatStatement = (db: Database, inRoom: boolean) =>
  db
    .update(sessions)
    .set({ elapsedActiveTime: runningElapsedSql, lastActivity: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(sessions.id, sql.placeholder('sessionId')),
        inRoom ? eq(sessions.roomName, sql.placeholder('roomName')) : undefined,
        eq(sessions.status, 'active'),
        isNotNull(sessions.connectedSince),
      ),
    )
    .returning()
    .prepare(inRoom ? 'clock_heartbeat_in_room' : 'clock_heartbeat');
const heartbeatInRoom = preparedFor((db) => heartbeatStatement(db, true));
const heartbeatAnyRoom = preparedFor((db) => heartbeatStatement(db, false));

/**
 * The student left: the running total is written, the segment closes and the
 * disconnect time is recorded. The session stays active (a disconnect never
 * ends it). `leftAt`, when the write comes late (the database was away), is
 * when the student actually left: the segment counts only up to then.
 * Returns null when the session has ended or moved rooms.
 */
export async function closeSegment(db: Database, target: ClockTarget, leftAt?: Date): Promise<Session | null> {
  const until = leftAt ? sql`least(now(), ${leftAt.toISOString()}::timestamptz)` : sql`now()`;
  const [row] = await db
    .update(sessions)
    .set({
      elapsedActiveTime: sql`case when ${sessions.connectedSince} is null then ${sessions.elapsedActiveTime} else ${runningElapsedUntil(until)} end`,
      connectedSince: null,
      lastDisconnectAt: until,
      lastActivity: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(targetWhere(target, ne(sessions.status, 'ended')))
    .returning();
  return row ?? null;
}
