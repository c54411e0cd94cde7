/**
 * The session clock, database side: the one module that writes the clock
 * columns (`status`, `start_time`, `end_time`, `elapsed_active_time`,
 * `connected_since`, `segment_base`, `last_activity`, `last_disconnect_at`),
 * for voice and text alike, always at the database's `now()`, and the one SQL
 * expression of the live elapsed time (`activeTimeSql`, the twin of
 * `activeTime` in @sp/core; `test/session-clock-parity.test.ts` feeds both the
 * same generated rows).
 *
 * Voice: a segment opens when the student is with the agent, a heartbeat
 * rewrites the running total, a disconnect closes the segment. Each is one
 * conditional UPDATE, and none touches an ended session.
 */
import { type GradedEndReason, HEARTBEAT_STALE_SECONDS } from '@sp/core';
import { and, eq, inArray, isNotNull, isNull, lte, ne, type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { preparedFor } from './prepared.js';
import { type Session, sessions } from './schema.js';

/**
 * Active seconds as of `until`, in whole milliseconds, never above the limit:
 * the SQL of `activeTime` (@sp/core). A running segment (an active session
 * with `connected_since`) counts `segment_base` plus the time since it opened,
 * but only up to HEARTBEAT_STALE_SECONDS after `lastSeen`, the last word from
 * the worker in the room (by default its last heartbeat): a worker that died
 * does not leave the clock running. A write by that worker itself passes
 * `lastSeen = until`: it is alive, and vouches for the segment up to `until`.
 */
export function activeTimeSql(
  until: SQL = sql`now()`,
  lastSeen: SQL = sql`coalesce(${sessions.lastActivity}, ${sessions.connectedSince})`,
): SQL<number> {
  return sql<number>`round(least(${sessions.durationLimit}::float8, case
  when ${sessions.status} = 'active' and ${sessions.connectedSince} is not null
    then greatest(${sessions.elapsedActiveTime}, ${sessions.segmentBase} + greatest(0, extract(epoch from
      least(${until}, ${lastSeen} + make_interval(secs => ${HEARTBEAT_STALE_SECONDS})) - ${sessions.connectedSince}))::float8)
  else ${sessions.elapsedActiveTime} end)::numeric, 3)::float8`;
}

/** Active seconds now, including the running segment: what an ending writes and a read would report. */
export const liveElapsedSql = activeTimeSql();

/** What the worker in the room writes: it is alive, so the segment has run until `until`. */
const vouchedElapsedSql = (until: SQL) => activeTimeSql(until, until);

/**
 * Active seconds once a text turn arriving at `until` is counted: the SQL of
 * `textTurnElapsed` (@sp/core). On the text channel the gap since the last
 * turn counts, capped at `gapCapSeconds`.
 */
export function textTurnElapsedSql(gapCapSeconds: number | SQL, until: SQL = sql`now()`): SQL<number> {
  return sql<number>`round(least(${sessions.durationLimit}::float8, ${activeTimeSql(until)} + case
  when ${sessions.channel} = 'text' and ${sessions.lastActivity} is not null
    then least(${gapCapSeconds}::float8, greatest(0, extract(epoch from (${until} - ${sessions.lastActivity}))::float8))
  else 0 end)::numeric, 3)::float8`;
}

/** Which session, and optionally which room: a worker in a room the session has moved away from writes nothing. */
export interface ClockTarget {
  sessionId: string;
  roomName?: string;
}

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
    .set({ elapsedActiveTime: vouchedElapsedSql(sql`now()`), lastActivity: sql`now()`, updatedAt: sql`now()` })
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
      elapsedActiveTime: vouchedElapsedSql(until),
      connectedSince: null,
      lastDisconnectAt: until,
      lastActivity: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(targetWhere(target, ne(sessions.status, 'ended')))
    .returning();
  return row ?? null;
}

/**
 * Stops the clock for good: the session ends with `endReason`, its running
 * segment counted as `activeTimeSql` counts it now. Conditional, so exactly
 * one racing ending wins; null for the losers. (`endSession` in
 * session-ending.ts wraps this with the report and the grading job.)
 */
export async function stopClock(
  db: Pick<Database, 'update'>,
  sessionId: string,
  endReason: GradedEndReason,
): Promise<Session | null> {
  const [won] = await db
    .update(sessions)
    .set({
      status: 'ended',
      isActive: false,
      endReason,
      endTime: sql`now()`,
      elapsedActiveTime: liveElapsedSql,
      connectedSince: null,
      gradingStatus: 'pending',
      updatedAt: sql`now()`,
    })
    .where(and(eq(sessions.id, sessionId), ne(sessions.status, 'ended')))
    .returning();
  return won ?? null;
}

/**
 * Ends, with `pending_timeout`, the sessions nobody ever joined (no voice or
 * text contact) whose current room was opened at or before `openedBefore`
 * (any time, when absent: a room LiveKit reports finished). Such a session is
 * not graded (no report, no job) and does not count as an attempt.
 * Conditional on the row as it is now, so a student who joins at the same
 * moment keeps the session: whichever write comes first wins.
 */
export async function expirePendingSessions(
  db: Pick<Database, 'update'>,
  openedBefore?: Date,
  only: { sessionIds?: string[]; tenantId?: string; userId?: string } = {},
): Promise<Session[]> {
  if (only.sessionIds?.length === 0) return [];
  return db
    .update(sessions)
    .set({
      status: 'ended',
      isActive: false,
      endReason: 'pending_timeout',
      endTime: sql`now()`,
      connectedSince: null,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(sessions.status, 'pending'),
        isNull(sessions.startTime),
        openedBefore ? lte(sessions.roomOpenedAt, openedBefore) : isNotNull(sessions.roomOpenedAt),
        only.sessionIds ? inArray(sessions.id, only.sessionIds) : undefined,
        only.tenantId ? eq(sessions.tenantId, only.tenantId) : undefined,
        only.userId ? eq(sessions.userId, only.userId) : undefined,
      ),
    )
    .returning();
}
