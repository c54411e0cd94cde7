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
 * rewrites the running total, a disconnect closes the segment; LiveKit's
 * webhook records contact and departure. Text: each turn is charged on the
 * clock when it is claimed. Each write is one conditional UPDATE, and none
 * touches an ended session.
 */
import { type GradedEndReason, HEARTBEAT_STALE_SECONDS } from '@sp/core';
import { and, eq, getTableColumns, inArray, isNotNull, isNull, lt, lte, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { preparedFor } from './prepared.js';
import { type Session, sessions } from './schema.js';
import { appendTurn } from './transcript.js';

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

/** An instructor or admin ends a session (`staff_ended`): who did, and whether it is sent for grading. */
export interface StaffEnding {
  endedBy: string;
  graded: boolean;
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
  ending: GradedEndReason | StaffEnding,
): Promise<Session | null> {
  const staff = typeof ending === 'string' ? null : ending;
  const [won] = await db
    .update(sessions)
    .set({
      status: 'ended',
      isActive: false,
      endReason: typeof ending === 'string' ? ending : 'staff_ended',
      endedBy: staff?.endedBy ?? null,
      endTime: sql`now()`,
      elapsedActiveTime: liveElapsedSql,
      connectedSince: null,
      gradingStatus: staff?.graded === false ? 'not_started' : 'pending',
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

/**
 * LiveKit saw the student join the room (its webhook, at `joinedAt`): contact.
 * The session becomes active and gets its `start_time`, no segment (only the
 * worker, with the agent in the room, opens one). Only in the session's
 * current room; null when nothing changed.
 */
export async function recordContact(
  db: Pick<Database, 'update'>,
  target: Required<ClockTarget>,
  joinedAt: Date,
): Promise<Session | null> {
  const [row] = await db
    .update(sessions)
    .set({ status: 'active', startTime: startedBy(joinedAt), updatedAt: sql`now()` })
    .where(targetWhere(target, ne(sessions.status, 'ended')))
    .returning();
  return row ?? null;
}

/**
 * LiveKit saw the student leave the room at `leftAt` (or the room finish): a
 * segment the worker did not close (it crashed) stops then, or where its
 * heartbeats went stale if that was earlier (`activeTimeSql`'s rule). A
 * departure is kept only if it is the latest known. `joinedAt`, for a
 * departure seen before its arrival, still tells that the student was there.
 */
export async function recordDeparture(
  db: Pick<Database, 'update'>,
  target: Required<ClockTarget>,
  leftAt: Date,
  joinedAt?: Date,
): Promise<Session | null> {
  const until = sql`least(now(), ${leftAt.toISOString()}::timestamptz)`;
  const [row] = await db
    .update(sessions)
    .set({
      elapsedActiveTime: activeTimeSql(until),
      connectedSince: null,
      lastDisconnectAt: sql`greatest(${sessions.lastDisconnectAt}, ${until})`,
      ...(joinedAt && { status: 'active' as const, startTime: startedBy(joinedAt) }),
      updatedAt: sql`now()`,
    })
    .where(targetWhere(target, ne(sessions.status, 'ended')))
    .returning();
  return row ?? null;
}

/** The first contact's time, kept once set; never later than now. */
const startedBy = (at: Date) => sql`coalesce(${sessions.startTime}, least(now(), ${at.toISOString()}::timestamptz))`;

/**
 * A resume: the session moves to a new room, whose pending timeout runs from
 * now, and is back on the voice channel; a return after a connection counts
 * one reconnect. Unless it has ended or used its reconnects. The row is locked
 * by the subquery, so the room name returned is exactly the one this UPDATE
 * replaced, whatever resumes ran in between.
 */
export async function moveToRoom(
  db: Pick<Database, 'update' | 'select'>,
  sessionId: string,
  roomName: string,
  maxReconnects: number,
): Promise<{ session: Session; previousRoomName: string } | null> {
  const previous = db
    .select({ id: sessions.id, roomName: sessions.roomName })
    .from(sessions)
    .where(eq(sessions.id, sessionId))
    .for('update')
    .as('previous');
  const [row] = await db
    .update(sessions)
    .set({
      // A reconnect is a return after a connection: a session that never started counts none.
      reconnectCount: sql`${sessions.reconnectCount} + case when ${sessions.startTime} is null then 0 else 1 end`,
      roomName,
      roomOpenedAt: sql`now()`,
      channel: 'voice',
      updatedAt: sql`now()`,
    })
    .from(previous)
    .where(
      and(
        eq(sessions.id, previous.id),
        ne(sessions.status, 'ended'),
        or(lt(sessions.reconnectCount, maxReconnects), isNull(sessions.startTime)),
      ),
    )
    .returning({ ...getTableColumns(sessions), previousRoomName: previous.roomName });
  if (!row) return null;
  const { previousRoomName, ...session } = row;
  return { session, previousRoomName };
}

/** A text turn to charge: the row version it was judged on (Postgres `xmin`) and the student's words. */
export interface TextTurnClaim {
  sessionId: string;
  version: string;
  gapCapSeconds: number;
  engine: 'model' | 'scripted';
  question: string;
}

/**
 * A text turn's claim on the clock, with the student's words stored under the
 * next sequence number (`appendTurn`), in one transaction, only if the row is
 * still the version the turn was judged on (`xmin` changes with every update):
 * a racing turn, heartbeat or ending makes it write nothing (null), and the
 * caller judges again. The turn is charged `textTurnElapsedSql` at `now()`;
 * the student is not in the voice room (a stale segment is closed); the
 * reconnect window restarts; the reply's lease starts (`text_turn_started_at`,
 * to the millisecond so the caller can match on it).
 */
export async function claimTextTurn(
  db: Database,
  claim: TextTurnClaim,
): Promise<{ session: Session; sequence: number; turnStartedAt: Date } | null> {
  return db.transaction(async (tx) => {
    const [session] = await tx
      .update(sessions)
      .set({
        channel: 'text',
        status: 'active',
        startTime: sql`coalesce(${sessions.startTime}, now())`,
        elapsedActiveTime: textTurnElapsedSql(claim.gapCapSeconds),
        connectedSince: null,
        lastActivity: sql`now()`,
        lastDisconnectAt: sql`now()`,
        textTurnStartedAt: leaseNow,
        // The offline patient answered at least one turn: the session says so for good.
        patientEngine: sql`case when ${claim.engine} = 'scripted' or ${sessions.patientEngine} = 'scripted'
          then 'scripted' else 'model' end`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(sessions.id, claim.sessionId), ne(sessions.status, 'ended'), sql`xmin = ${claim.version}::xid`))
      .returning();
    if (!session?.textTurnStartedAt) return null;
    const question = await appendTurn(tx, claim.sessionId, { role: 'user', content: claim.question, channel: 'text' });
    return { session, sequence: question.sequence, turnStartedAt: session.textTurnStartedAt };
  });
}

/** A reply lease stamp: now, to the millisecond, so a JS Date holds it exactly. */
const leaseNow = sql`date_trunc('milliseconds', now())`;

/**
 * Renews the lease of a reply being written, if it is still `current`: the
 * new stamp, or null when the lease was released or taken meanwhile.
 */
export async function renewTextTurn(
  db: Pick<Database, 'update'>,
  sessionId: string,
  current: Date,
): Promise<Date | null> {
  const [renewed] = await db
    .update(sessions)
    .set({ textTurnStartedAt: leaseNow })
    .where(and(eq(sessions.id, sessionId), eq(sessions.textTurnStartedAt, current)))
    .returning({ at: sessions.textTurnStartedAt });
  return renewed?.at ?? null;
}

/** The turn is over (its reply stored, or none came): the next text turn may come, if the lease is still `startedAt`. */
export async function releaseTextTurn(db: Pick<Database, 'update'>, sessionId: string, startedAt: Date): Promise<void> {
  await db
    .update(sessions)
    .set({ textTurnStartedAt: null })
    .where(and(eq(sessions.id, sessionId), eq(sessions.textTurnStartedAt, startedAt)));
}
