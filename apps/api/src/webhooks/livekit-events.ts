/**
 * What LiveKit's signed webhook events do to a session. Each event is applied
 * once (its id is stored in the same transaction as the change), in whatever
 * order events arrive, and only for the session's current room: an event of a
 * room the session has moved away from (a resume) changes nothing.
 *
 * - `participant_joined` (the student): contact. The session becomes active
 *   and gets its `start_time` (no clock segment: only the worker, with the
 *   agent in the room, opens one).
 * - `participant_left` (the student): the disconnection. A segment the worker
 *   left open (it crashed) is closed at the moment the student left.
 *
 * The clock columns are written by @sp/db's session clock (`recordContact`,
 * `recordDeparture`, `expirePendingSessions`), as every other clock write.
 * - `room_finished`: a running segment is closed; a session nobody ever
 *   joined ends `pending_timeout` (not graded, not an attempt).
 */
import type { Database } from '@sp/db';
import {
  expirePendingSessions,
  livekitWebhookEvents,
  recordContact,
  recordDeparture,
  type Session,
  sessions,
} from '@sp/db';
import { eq } from 'drizzle-orm';
import type { WebhookEvent } from 'livekit-server-sdk';
import { participantIdentity } from '../http/livekit.js';

export type EventOutcome =
  /** Seen before (same event id): nothing done again. */
  | { kind: 'duplicate' }
  /** Recorded; the session it changed, or null (a stale or unknown room, another participant, an event we ignore). */
  | { kind: 'applied'; session: Session | null; effect: string };

const HANDLED = new Set(['participant_joined', 'participant_left', 'room_finished']);

/** An int64 of seconds since the epoch (LiveKit's timestamps) as a Date, never later than now. */
function instant(seconds: bigint | undefined, now: Date): Date {
  if (!seconds) return now;
  const at = new Date(Number(seconds) * 1000);
  return at > now ? now : at;
}

export async function applyLiveKitEvent(db: Database, event: WebhookEvent, now: Date): Promise<EventOutcome> {
  const roomName = event.room?.name ?? null;
  return db.transaction(async (tx) => {
    const [fresh] = await tx
      .insert(livekitWebhookEvents)
      .values({ id: event.id, event: event.event, roomName })
      .onConflictDoNothing()
      .returning({ id: livekitWebhookEvents.id });
    if (!fresh) return { kind: 'duplicate' } as const;
    if (!roomName || !HANDLED.has(event.event)) return { kind: 'applied', session: null, effect: 'ignored' } as const;

    // The session whose current room this is, locked so the change below is judged on the row as it is.
    const [session] = await tx.select().from(sessions).where(eq(sessions.roomName, roomName)).for('update');
    if (!session || session.status === 'ended') {
      return {
        kind: 'applied',
        session: null,
        effect: session ? 'session already ended' : 'not a current room',
      } as const;
    }
    const isStudent =
      event.participant?.identity === participantIdentity({ userId: session.userId, sessionId: session.id });
    const at = instant(event.createdAt, now);
    const target = { sessionId: session.id, roomName };
    let changed: Session | undefined;
    let effect = 'nothing to do';

    if (event.event === 'participant_joined' && isStudent) {
      changed = (await recordContact(tx, target, instant(event.participant?.joinedAt, at))) ?? undefined;
      effect = 'contact recorded';
    } else if ((event.event === 'participant_left' && isStudent) || event.event === 'room_finished') {
      if (event.event === 'room_finished' && session.status === 'pending' && !session.startTime) {
        [changed] = await expirePendingSessions(tx, undefined, { sessionIds: [session.id] });
        effect = 'never started: ended pending_timeout';
      } else if (session.connectedSince || event.event === 'participant_left') {
        // A departure seen before its arrival still tells that the student was there.
        const joinedAt = event.event === 'participant_left' ? instant(event.participant?.joinedAt, at) : undefined;
        changed = (await recordDeparture(tx, target, at, joinedAt)) ?? undefined;
        effect = session.connectedSince ? 'running segment closed' : 'disconnection recorded';
      }
    }
    if (changed) {
      await tx.update(livekitWebhookEvents).set({ sessionId: changed.id }).where(eq(livekitWebhookEvents.id, event.id));
    }
    return { kind: 'applied', session: changed ?? null, effect } as const;
  });
}
