/**
 * The text channel of a case session, as pure rules: a student without a
 * microphone (or a good connection) types to the patient instead of talking.
 * A session is voice or text at a given moment, never both: text is refused
 * while the student is live in the voice room, and voice comes back through a
 * resume. Active time in text mode accrues from turn to turn, each gap capped,
 * so a student who walks away is charged at most one capped gap.
 */
import { DomainError } from './errors.js';
import {
  activeTime,
  type EndReason,
  HEARTBEAT_STALE_SECONDS,
  pendingExpired,
  reconnectWindowStart,
  remainingTime,
  type SessionClock,
  toMilliseconds,
} from './session-rules.js';
import type { SessionChannel } from './vocabulary.js';

export const TEXT_CHANNEL_DEFAULTS = {
  /** The most active time one gap between text turns can add. */
  gapCapSeconds: 60,
  /**
   * The lease of a reply being written: its process renews it every third of
   * this while the reply streams, so a reply not renewed this long died with
   * its process (a crash mid-reply), and the next turn may come.
   */
  replyLeaseSeconds: 15,
} as const;

export interface TextChannelClock extends SessionClock {
  channel: SessionChannel;
  /** While a reply is being written: when its lease was last renewed (first: when its turn began); else null. */
  textTurnStartedAt: Date | null;
}

export interface TextChannelLimits {
  reconnectWindowSeconds: number;
  gapCapSeconds: number;
  /** TEXT_CHANNEL_DEFAULTS.replyLeaseSeconds unless configured. */
  replyLeaseSeconds?: number;
}

/** Is the student live in the voice room right now (a segment open, its heartbeat fresh)? */
export function voiceConnected(session: SessionClock, now: Date): boolean {
  if (session.status !== 'active' || !session.connectedSince) return false;
  const heartbeat = (session.lastActivity ?? session.connectedSince).getTime();
  return now.getTime() - heartbeat < HEARTBEAT_STALE_SECONDS * 1000;
}

/** Active seconds the session will have used once a text turn arriving now is counted. */
export function textTurnElapsed(session: TextChannelClock, now: Date, gapCapSeconds: number): number {
  const since = session.channel === 'text' ? session.lastActivity : null;
  const gap = since ? Math.min(gapCapSeconds, Math.max(0, (now.getTime() - since.getTime()) / 1000)) : 0;
  return toMilliseconds(Math.min(session.durationLimit, activeTime(session, now) + gap));
}

export type TextTurnVerdict =
  /** Answer it; `expired` when the turn uses up the time (the patient says goodbye instead). */
  | { kind: 'turn'; elapsed: number; expired: boolean }
  | { kind: 'already_ended'; endReason: EndReason | null }
  | { kind: 'voice_live' }
  | { kind: 'busy' }
  | { kind: 'end'; endReason: 'conversation_ttl_exceeded' };

/** 409 `voice_live`: the student is live in the voice room; they continue by text once they leave the call. */
export function voiceLiveError(): DomainError {
  return new DomainError(
    'SESSION_CHANNEL_CONFLICT',
    'This session is live by voice: leave the call to continue by text',
    {
      channel: 'voice',
    },
  );
}

/** 409 `busy`: the reply to the previous text turn is still being written. */
export function sessionBusyError(): DomainError {
  return new DomainError('SESSION_BUSY', 'The patient is still answering your previous message');
}

/**
 * May the student send a text turn now, and what does it do to the clock? In
 * order: ended (410), live by voice (409), a reply still being written (409),
 * the reconnect window passed (the session ends), else the turn.
 */
export function textTurnVerdict(session: TextChannelClock, now: Date, limits: TextChannelLimits): TextTurnVerdict {
  if (session.status === 'ended') return { kind: 'already_ended', endReason: session.endReason };
  if (voiceConnected(session, now)) return { kind: 'voice_live' };
  if (
    session.textTurnStartedAt &&
    now.getTime() - session.textTurnStartedAt.getTime() <
      (limits.replyLeaseSeconds ?? TEXT_CHANNEL_DEFAULTS.replyLeaseSeconds) * 1000
  ) {
    return { kind: 'busy' };
  }
  const sinceWindowStart = (now.getTime() - reconnectWindowStart(session).getTime()) / 1000;
  if (sinceWindowStart > limits.reconnectWindowSeconds) return { kind: 'end', endReason: 'conversation_ttl_exceeded' };
  const elapsed = textTurnElapsed(session, now, limits.gapCapSeconds);
  return { kind: 'turn', elapsed, expired: elapsed >= session.durationLimit };
}

/**
 * Is the student in the middle of this session: live by voice, or able to
 * carry on (its reconnect window open and time left)? Such a session holds the
 * assessment lock on the study assistant.
 */
export function sessionInProgress(
  session: SessionClock & { roomOpenedAt?: Date },
  now: Date,
  reconnectWindowSeconds: number,
  pendingTimeoutSeconds = Number.POSITIVE_INFINITY,
): boolean {
  if (session.status === 'ended') return false;
  // A session nobody joined within the pending timeout is over, swept or not.
  if (
    session.roomOpenedAt &&
    pendingExpired({ ...session, roomOpenedAt: session.roomOpenedAt }, now, pendingTimeoutSeconds)
  ) {
    return false;
  }
  if (voiceConnected(session, now)) return true;
  const sinceWindowStart = (now.getTime() - reconnectWindowStart(session).getTime()) / 1000;
  return sinceWindowStart <= reconnectWindowSeconds && remainingTime(session, now) > 0;
}
