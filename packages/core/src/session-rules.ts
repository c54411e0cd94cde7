/**
 * The session rules as pure functions of (session, case study, now).
 * Nothing here knows HTTP, LiveKit or Postgres.
 */
import { DomainError, type ErrorCode } from './errors.js';

export const SESSION_DEFAULTS = {
  durationLimitSeconds: 600,
  maxReconnects: 2,
  reconnectWindowSeconds: 3600,
  heartbeatSeconds: 5,
  warningBeforeEndSeconds: 60,
} as const;

/** The endings that are graded and count as an attempt. */
export const gradedEndReasons = [
  'user_ended',
  'timer_expired',
  'conversation_ttl_exceeded',
  'reconnect_exceeded',
] as const;
export type GradedEndReason = (typeof gradedEndReasons)[number];
/**
 * `pending_timeout`: the session never started (no voice or text contact within
 * the pending timeout). It is not graded and does not count as an attempt.
 * `staff_ended`: an instructor or admin ended it (who is kept in `ended_by`); graded or not as they chose,
 * and it counts as an attempt (staff may grant another).
 */
export const endReasons = [...gradedEndReasons, 'pending_timeout', 'staff_ended'] as const;
export type EndReason = (typeof endReasons)[number];

export const sessionStatuses = ['pending', 'active', 'ended'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

/** The fields of a session row the rules read. */
export interface SessionClock {
  status: SessionStatus;
  endReason: EndReason | null;
  /** Closed segments, plus the running one as of the last heartbeat. */
  elapsedActiveTime: number;
  durationLimit: number;
  reconnectCount: number;
  /** Start of the running segment while the student is connected with the agent, else null. */
  connectedSince: Date | null;
  /** Elapsed active time when the running segment began. */
  segmentBase: number;
  /** The worker's last heartbeat. */
  lastActivity: Date | null;
  lastDisconnectAt: Date | null;
  createdAt: Date;
  /** First voice or text contact; null while the session never started. */
  startTime: Date | null;
}

export interface SessionLimits {
  maxReconnects: number;
  reconnectWindowSeconds: number;
}

const defaultLimits: SessionLimits = {
  maxReconnects: SESSION_DEFAULTS.maxReconnects,
  reconnectWindowSeconds: SESSION_DEFAULTS.reconnectWindowSeconds,
};

/**
 * A running segment counts only up to this long after the worker's last
 * heartbeat: a worker that died does not leave a clock running forever.
 */
export const HEARTBEAT_STALE_SECONDS = 15;

/** Active time is counted in seconds to the millisecond: never 7.388999999999999. */
export const toMilliseconds = (seconds: number): number => Math.round(seconds * 1000) / 1000;

/**
 * Active seconds used so far (whole milliseconds), including the segment still running; never above
 * the limit. Running time is `segmentBase + (now - connectedSince)`, frozen
 * once heartbeats stop for HEARTBEAT_STALE_SECONDS.
 */
export function activeTime(session: SessionClock, now: Date): number {
  if (session.status !== 'active' || !session.connectedSince) {
    return toMilliseconds(Math.min(session.durationLimit, session.elapsedActiveTime));
  }
  const heartbeat = (session.lastActivity ?? session.connectedSince).getTime();
  const until = Math.min(now.getTime(), heartbeat + HEARTBEAT_STALE_SECONDS * 1000);
  const running = Math.max(0, (until - session.connectedSince.getTime()) / 1000);
  return toMilliseconds(
    Math.min(session.durationLimit, Math.max(session.elapsedActiveTime, session.segmentBase + running)),
  );
}

export function remainingTime(session: SessionClock, now: Date): number {
  return Math.max(0, session.durationLimit - activeTime(session, now));
}

/** The 410 code for a session that has already ended: SESSION_<END_REASON>, or SESSION_ENDED. */
export function endedErrorCode(endReason: EndReason | null): ErrorCode {
  if (!endReason) return 'SESSION_ENDED';
  return `SESSION_${endReason.toUpperCase()}` as ErrorCode;
}

/** The error a student gets for touching a session that has ended. */
export function sessionEndedError(endReason: EndReason | null): DomainError {
  return new DomainError(endedErrorCode(endReason), 'This session has already ended', {
    end_reason: endReason,
  });
}

/**
 * When the reconnect window is measured from. While a segment is open the
 * student was last known connected at the worker's last heartbeat (a stale
 * heartbeat means the worker died, and the window runs from then); otherwise
 * from the last disconnect, else the session's creation.
 */
export function reconnectWindowStart(session: SessionClock): Date {
  if (session.connectedSince) {
    const heartbeat = Math.max(session.connectedSince.getTime(), session.lastActivity?.getTime() ?? 0);
    return new Date(heartbeat);
  }
  return session.lastDisconnectAt ?? session.createdAt;
}

export type ResumeVerdict =
  | { kind: 'resume' }
  | { kind: 'already_ended'; endReason: EndReason | null }
  | { kind: 'end'; endReason: Exclude<GradedEndReason, 'user_ended'> };

/**
 * May this session be resumed now? Checks in the contract's order: still active,
 * reconnect window, reconnect limit, then time left on the clock.
 */
export function resumeVerdict(session: SessionClock, now: Date, limits: SessionLimits = defaultLimits): ResumeVerdict {
  if (session.status === 'ended') return { kind: 'already_ended', endReason: session.endReason };
  const sinceWindowStart = (now.getTime() - reconnectWindowStart(session).getTime()) / 1000;
  if (sinceWindowStart > limits.reconnectWindowSeconds) {
    return { kind: 'end', endReason: 'conversation_ttl_exceeded' };
  }
  if (resumeCountsReconnect(session) && session.reconnectCount >= limits.maxReconnects) {
    return { kind: 'end', endReason: 'reconnect_exceeded' };
  }
  if (remainingTime(session, now) <= 0) return { kind: 'end', endReason: 'timer_expired' };
  return { kind: 'resume' };
}

/** The error answered when a resume check ends the session. */
export function resumeFailedError(endReason: Exclude<GradedEndReason, 'user_ended'>): DomainError {
  const messages: Record<typeof endReason, string> = {
    conversation_ttl_exceeded: 'The reconnect window has expired; the session was ended and sent for grading',
    reconnect_exceeded: 'The reconnect limit was reached; the session was ended and sent for grading',
    timer_expired: 'The session time is used up; the session was ended and sent for grading',
  };
  return new DomainError(endedErrorCode(endReason), messages[endReason], { end_reason: endReason });
}

/** A session's active-time budget under a time accommodation: the case's duration times the multiplier, whole seconds. */
export function accommodatedDuration(caseDurationSeconds: number, durationMultiplier: number): number {
  return Math.round(caseDurationSeconds * durationMultiplier);
}

export function attemptsExhausted(attemptCount: number, maxAttempts: number): boolean {
  return attemptCount >= maxAttempts;
}

/** 409: the student already has a live session for this case study. */
export function sessionActiveError(sessionId: string): DomainError {
  return new DomainError('SESSION_ACTIVE', 'You already have an active session for this case study', {
    session_id: sessionId,
  });
}

/** What a new session of a case depends on: the student's live session for it, and their attempts. */
export interface CaseStanding {
  activeSessionId: string | null;
  /** When the live session is one nobody has joined yet: when its room opened; else null. */
  activePendingSince: Date | null;
  attemptsUsed: number;
  maxAttempts: number;
}

export type StartVerdict =
  | { kind: 'start' }
  /** The live session nobody joined within the pending timeout ends `pending_timeout` first; then judge again. */
  | { kind: 'expire_pending'; sessionId: string }
  | { kind: 'refuse'; error: DomainError };

/**
 * May the student start a new session of this case now? In order: a live
 * session blocks (409), unless nobody joined it within the pending timeout;
 * then the attempts (422 once used up).
 */
export function startVerdict(standing: CaseStanding, now: Date, pendingTimeoutSeconds: number): StartVerdict {
  if (standing.activeSessionId) {
    const pending = standing.activePendingSince;
    if (
      pending &&
      pendingExpired({ status: 'pending', startTime: null, roomOpenedAt: pending }, now, pendingTimeoutSeconds)
    ) {
      return { kind: 'expire_pending', sessionId: standing.activeSessionId };
    }
    return { kind: 'refuse', error: sessionActiveError(standing.activeSessionId) };
  }
  if (attemptsExhausted(standing.attemptsUsed, standing.maxAttempts)) {
    return { kind: 'refuse', error: attemptsExhaustedError(standing.attemptsUsed, standing.maxAttempts) };
  }
  return { kind: 'start' };
}

/**
 * A resume lost the room move (its conditional UPDATE wrote nothing) on a
 * session that has not ended: the reason it ends, judged on the row as it is
 * now. The move fails on an active session only for its reconnects, so when
 * no check says otherwise they are used up.
 */
export function lostResumeEndReason(verdict: Exclude<ResumeVerdict, { kind: 'already_ended' }>) {
  return verdict.kind === 'end' ? verdict.endReason : 'reconnect_exceeded';
}

export function attemptsExhaustedError(attemptCount: number, maxAttempts: number): DomainError {
  return new DomainError('VALIDATION_ERROR', 'Maximum attempts reached for this case study', {
    attempt_count: attemptCount,
    max_attempts: maxAttempts,
  });
}

/**
 * LiveKit room names are `mind-` and 12 hex characters, from 6 random bytes
 * the caller draws (core stays pure: the API's `newRoomName` draws them); each
 * resume opens a new room.
 */
export function roomNameFrom(bytes: Uint8Array): string {
  if (bytes.length !== 6) throw new Error('a room name takes 6 random bytes');
  return `mind-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export const ROOM_NAME_PATTERN = /^mind-[0-9a-f]{12}$/;

/** Does a resume now count a reconnect? Only a return after a connection does. */
export function resumeCountsReconnect(session: Pick<SessionClock, 'startTime'>): boolean {
  return session.startTime !== null;
}

/** Reconnects the student has left; 0 once the session has ended. */
export function reconnectsRemaining(
  session: Pick<SessionClock, 'status' | 'reconnectCount'>,
  limits: SessionLimits = defaultLimits,
): number {
  if (session.status === 'ended') return 0;
  return Math.max(0, limits.maxReconnects - session.reconnectCount);
}

/**
 * When the reconnect window closes, or null when the session cannot be
 * resumed (ended, out of reconnects, or out of time): a resume after this
 * instant ends the session instead.
 */
export function resumeDeadline(session: SessionClock, now: Date, limits: SessionLimits = defaultLimits): Date | null {
  if (resumeVerdict(session, now, limits).kind !== 'resume') return null;
  return new Date(reconnectWindowStart(session).getTime() + limits.reconnectWindowSeconds * 1000);
}

/**
 * A session nobody ever joined (no voice or text contact) ends with
 * `pending_timeout` this long after its room was opened. Null once it started or ended.
 */
export function pendingDeadline(
  session: Pick<SessionClock, 'status' | 'startTime'> & { roomOpenedAt: Date },
  pendingTimeoutSeconds: number,
): Date | null {
  if (session.status !== 'pending' || session.startTime) return null;
  return new Date(session.roomOpenedAt.getTime() + pendingTimeoutSeconds * 1000);
}

export function pendingExpired(
  session: Pick<SessionClock, 'status' | 'startTime'> & { roomOpenedAt: Date },
  now: Date,
  pendingTimeoutSeconds: number,
): boolean {
  const deadline = pendingDeadline(session, pendingTimeoutSeconds);
  return deadline !== null && now.getTime() >= deadline.getTime();
}
