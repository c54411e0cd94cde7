import { describe, expect, it } from 'vitest';
import {
  activeTime,
  attemptsExhausted,
  attemptsExhaustedError,
  endedErrorCode,
  HEARTBEAT_STALE_SECONDS,
  lostResumeEndReason,
  ROOM_NAME_PATTERN,
  reconnectWindowStart,
  remainingTime,
  resumeFailedError,
  resumeVerdict,
  roomNameFrom,
  startVerdict,
} from '../src/index.js';
import { at, sessionClock, t0 } from './support/clock.js';

const session = sessionClock;

describe('activeTime', () => {
  it('counts whole milliseconds, never a float artefact like 7.388999999999999', () => {
    expect(activeTime(session({ elapsedActiveTime: 7.388999999999999 }), at(5000))).toBe(7.389);
    const running = session({ elapsedActiveTime: 0, segmentBase: 0.1, connectedSince: at(0), lastActivity: at(0.2) });
    expect(activeTime(running, at(0.2))).toBe(0.3);
  });

  it('is the stored figure while the student is away', () => {
    expect(activeTime(session({ elapsedActiveTime: 185 }), at(5000))).toBe(185);
  });

  it('adds the running segment to the figure at its start while the student is connected', () => {
    const s = session({ elapsedActiveTime: 110, segmentBase: 100, connectedSince: at(0), lastActivity: at(10) });
    expect(activeTime(s, at(12))).toBe(112);
  });

  it('stops the running segment when heartbeats have been stale for a while (a dead worker)', () => {
    const s = session({ elapsedActiveTime: 110, segmentBase: 100, connectedSince: at(0), lastActivity: at(10) });
    expect(activeTime(s, at(3600))).toBe(100 + 10 + HEARTBEAT_STALE_SECONDS);
  });

  it('never exceeds the duration limit', () => {
    const s = session({ elapsedActiveTime: 590, segmentBase: 590, connectedSince: at(0), lastActivity: at(59) });
    expect(activeTime(s, at(60))).toBe(600);
    expect(remainingTime(s, at(60))).toBe(0);
  });

  it('does not run for a pending or ended session', () => {
    expect(activeTime(session({ status: 'pending', connectedSince: at(0) }), at(30))).toBe(0);
    expect(
      activeTime(
        session({ status: 'ended', endReason: 'user_ended', elapsedActiveTime: 9, connectedSince: at(0) }),
        at(30),
      ),
    ).toBe(9);
  });
});

describe('resumeVerdict', () => {
  it('resumes an active session inside the window with reconnects and time left', () => {
    const s = session({ elapsedActiveTime: 185, reconnectCount: 1, lastDisconnectAt: at(100) });
    expect(resumeVerdict(s, at(100 + 3599))).toEqual({ kind: 'resume' });
  });

  it('reports an ended session as already ended with its reason', () => {
    const s = session({ status: 'ended', endReason: 'user_ended' });
    expect(resumeVerdict(s, at(1))).toEqual({ kind: 'already_ended', endReason: 'user_ended' });
  });

  it('ends with conversation_ttl_exceeded an hour after the last disconnect', () => {
    const s = session({ lastDisconnectAt: at(100) });
    expect(resumeVerdict(s, at(100 + 3601))).toEqual({ kind: 'end', endReason: 'conversation_ttl_exceeded' });
  });

  it('measures the window from creation when the student never connected', () => {
    expect(resumeVerdict(session({ status: 'pending' }), at(3601))).toEqual({
      kind: 'end',
      endReason: 'conversation_ttl_exceeded',
    });
  });

  it('never ends a connected session by the window: it runs from the last heartbeat while a segment is open', () => {
    // Disconnected more than an hour ago, connected again since, heartbeats fresh.
    const rejoined = session({ lastDisconnectAt: at(0), connectedSince: at(3500), lastActivity: at(4000) });
    expect(resumeVerdict(rejoined, at(4003))).toEqual({ kind: 'resume' });
    // Created more than an hour ago, never disconnected, connected and talking now.
    const talking = session({ connectedSince: at(3300), lastActivity: at(3700) });
    expect(resumeVerdict(talking, at(3702))).toEqual({ kind: 'resume' });
  });

  it('measures the window from the last heartbeat of a segment whose worker died', () => {
    const abandoned = session({ lastDisconnectAt: at(0), connectedSince: at(100), lastActivity: at(200) });
    expect(resumeVerdict(abandoned, at(200 + 3599))).toEqual({ kind: 'resume' });
    expect(resumeVerdict(abandoned, at(200 + 3601))).toEqual({ kind: 'end', endReason: 'conversation_ttl_exceeded' });
  });

  it('ends with reconnect_exceeded after two reconnects', () => {
    expect(resumeVerdict(session({ reconnectCount: 2 }), at(10))).toEqual({
      kind: 'end',
      endReason: 'reconnect_exceeded',
    });
  });

  it('ends with timer_expired when no active time is left', () => {
    expect(resumeVerdict(session({ elapsedActiveTime: 600 }), at(10))).toEqual({
      kind: 'end',
      endReason: 'timer_expired',
    });
  });

  it('checks the window before the reconnect limit, and the limit before the timer', () => {
    const all = session({ reconnectCount: 2, elapsedActiveTime: 600, lastDisconnectAt: at(0) });
    expect(resumeVerdict(all, at(4000))).toMatchObject({ endReason: 'conversation_ttl_exceeded' });
    expect(resumeVerdict(all, at(10))).toMatchObject({ endReason: 'reconnect_exceeded' });
  });

  it('honours configured limits', () => {
    const limits = { maxReconnects: 5, reconnectWindowSeconds: 10 };
    expect(resumeVerdict(session({ reconnectCount: 3 }), at(5), limits)).toEqual({ kind: 'resume' });
    expect(resumeVerdict(session(), at(11), limits)).toMatchObject({ endReason: 'conversation_ttl_exceeded' });
  });
});

describe('reconnectWindowStart', () => {
  it('is the creation time of a session that never connected', () => {
    expect(reconnectWindowStart(session())).toEqual(t0);
  });

  it('is the last disconnect while the student is away', () => {
    expect(reconnectWindowStart(session({ lastDisconnectAt: at(50), lastActivity: at(50) }))).toEqual(at(50));
  });

  it('is the last heartbeat while a segment is open, whatever disconnect came before', () => {
    expect(
      reconnectWindowStart(session({ lastDisconnectAt: at(50), connectedSince: at(60), lastActivity: at(90) })),
    ).toEqual(at(90));
  });

  it('is the segment start while a segment is open and no heartbeat has come yet', () => {
    expect(reconnectWindowStart(session({ lastDisconnectAt: at(50), connectedSince: at(60) }))).toEqual(at(60));
  });
});

describe('error codes', () => {
  it('names an ended session by its end reason', () => {
    expect(endedErrorCode('user_ended')).toBe('SESSION_USER_ENDED');
    expect(endedErrorCode('conversation_ttl_exceeded')).toBe('SESSION_CONVERSATION_TTL_EXCEEDED');
    expect(endedErrorCode(null)).toBe('SESSION_ENDED');
  });

  it('names every failed resume by its end reason', () => {
    for (const reason of ['conversation_ttl_exceeded', 'reconnect_exceeded', 'timer_expired'] as const) {
      const error = resumeFailedError(reason);
      expect(error.code).toBe(endedErrorCode(reason));
      expect(error.details).toEqual({ end_reason: reason });
    }
  });

  it('reports attempts as VALIDATION_ERROR with the counts', () => {
    expect(attemptsExhausted(2, 3)).toBe(false);
    expect(attemptsExhausted(3, 3)).toBe(true);
    const error = attemptsExhaustedError(3, 3);
    expect([error.code, error.details]).toEqual(['VALIDATION_ERROR', { attempt_count: 3, max_attempts: 3 }]);
  });
});

describe('roomNameFrom', () => {
  it('is mind- and the 6 bytes as 12 hex characters', () => {
    const name = roomNameFrom(new Uint8Array([0, 1, 0xab, 0x10, 0xff, 7]));
    expect(name).toBe('mind-0001ab10ff07');
    expect(name).toMatch(ROOM_NAME_PATTERN);
    expect(() => roomNameFrom(new Uint8Array(5))).toThrow();
  });
});

describe('startVerdict', () => {
  const standing = { activeSessionId: null, activePendingSince: null, attemptsUsed: 0, maxAttempts: 3 };

  it('starts while no session is live and attempts are left', () => {
    expect(startVerdict(standing, at(0), 600)).toEqual({ kind: 'start' });
  });

  it('refuses 409 SESSION_ACTIVE for a live session, before looking at the attempts', () => {
    const verdict = startVerdict({ ...standing, activeSessionId: 's-1', attemptsUsed: 3 }, at(0), 600);
    expect(verdict.kind === 'refuse' && verdict.error).toMatchObject({
      code: 'SESSION_ACTIVE',
      details: { session_id: 's-1' },
    });
  });

  it('lets a live session nobody joined within the pending timeout be expired first, not before', () => {
    const pending = { ...standing, activeSessionId: 's-1', activePendingSince: at(0) };
    expect(startVerdict(pending, at(600), 600)).toEqual({ kind: 'expire_pending', sessionId: 's-1' });
    expect(startVerdict(pending, at(599), 600).kind).toBe('refuse');
  });

  it('refuses 422 once the attempts are used up', () => {
    const verdict = startVerdict({ ...standing, attemptsUsed: 3 }, at(0), 600);
    expect(verdict.kind === 'refuse' && verdict.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { attempt_count: 3, max_attempts: 3 },
    });
  });
});

describe('lostResumeEndReason', () => {
  it("takes the check's reason, else the reconnects are used up", () => {
    expect(lostResumeEndReason({ kind: 'end', endReason: 'conversation_ttl_exceeded' })).toBe(
      'conversation_ttl_exceeded',
    );
    expect(lostResumeEndReason({ kind: 'resume' })).toBe('reconnect_exceeded');
  });
});
