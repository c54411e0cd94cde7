import { describe, expect, it } from 'vitest';
import {
  HEARTBEAT_STALE_SECONDS,
  sessionBusyError,
  sessionInProgress,
  TEXT_CHANNEL_DEFAULTS,
  textTurnElapsed,
  textTurnVerdict,
  voiceConnected,
  voiceLiveError,
} from '../src/index.js';
import { at, textClock } from './support/clock.js';

const limits = { reconnectWindowSeconds: 3600, gapCapSeconds: 60 };
const session = textClock;

describe('voiceConnected', () => {
  it('is true while a voice segment is open and its heartbeat is fresh', () => {
    const live = session({ channel: 'voice', connectedSince: at(0), lastActivity: at(100) });
    expect(voiceConnected(live, at(104))).toBe(true);
  });

  it('is false once the heartbeat went stale (the worker died) or the student left', () => {
    const live = session({ channel: 'voice', connectedSince: at(0), lastActivity: at(100) });
    expect(voiceConnected(live, at(100 + HEARTBEAT_STALE_SECONDS))).toBe(false);
    expect(voiceConnected(session({ channel: 'voice', lastDisconnectAt: at(50) }), at(51))).toBe(false);
  });
});

describe('textTurnElapsed', () => {
  it('adds the gap since the previous text turn', () => {
    expect(textTurnElapsed(session({ elapsedActiveTime: 100, lastActivity: at(0) }), at(42), 60)).toBe(142);
  });

  it('caps each gap, so a student who walked away is charged one capped gap', () => {
    expect(textTurnElapsed(session({ elapsedActiveTime: 100, lastActivity: at(0) }), at(3000), 60)).toBe(160);
  });

  it('adds nothing on the first text turn, or the one that switches from voice', () => {
    expect(textTurnElapsed(session({ elapsedActiveTime: 0 }), at(30), 60)).toBe(0);
    const fromVoice = session({
      channel: 'voice',
      elapsedActiveTime: 200,
      lastActivity: at(0),
      lastDisconnectAt: at(0),
    });
    expect(textTurnElapsed(fromVoice, at(45), 60)).toBe(200);
  });

  it('never goes past the duration limit', () => {
    expect(textTurnElapsed(session({ elapsedActiveTime: 590, lastActivity: at(0) }), at(40), 60)).toBe(600);
  });
});

describe('textTurnVerdict', () => {
  it('lets a turn through with the new elapsed figure', () => {
    const verdict = textTurnVerdict(
      session({ elapsedActiveTime: 10, lastActivity: at(0), lastDisconnectAt: at(0) }),
      at(20),
      limits,
    );
    expect(verdict).toEqual({ kind: 'turn', elapsed: 30, expired: false });
  });

  it('marks the turn that uses up the time as expired', () => {
    const verdict = textTurnVerdict(
      session({ elapsedActiveTime: 580, lastActivity: at(0), lastDisconnectAt: at(0) }),
      at(20),
      limits,
    );
    expect(verdict).toEqual({ kind: 'turn', elapsed: 600, expired: true });
  });

  it('refuses an ended session with its end reason', () => {
    expect(textTurnVerdict(session({ status: 'ended', endReason: 'user_ended' }), at(1), limits)).toEqual({
      kind: 'already_ended',
      endReason: 'user_ended',
    });
  });

  it('refuses while the student is live in the voice room', () => {
    const live = session({ channel: 'voice', connectedSince: at(0), lastActivity: at(10) });
    expect(textTurnVerdict(live, at(12), limits)).toEqual({ kind: 'voice_live' });
  });

  it('is busy while the previous reply is being written, until that reply is stale', () => {
    const writing = session({ textTurnStartedAt: at(0), lastDisconnectAt: at(0), lastActivity: at(0) });
    expect(textTurnVerdict(writing, at(5), limits)).toEqual({ kind: 'busy' });
    expect(textTurnVerdict(writing, at(TEXT_CHANNEL_DEFAULTS.replyLeaseSeconds + 1), limits).kind).toBe('turn');
  });

  it('takes the configured reply lease: a reply not renewed for it died with its process', () => {
    const writing = session({ textTurnStartedAt: at(0), lastDisconnectAt: at(0), lastActivity: at(0) });
    const short = { ...limits, replyLeaseSeconds: 2 };
    expect(textTurnVerdict(writing, at(1.5), short)).toEqual({ kind: 'busy' });
    expect(textTurnVerdict(writing, at(2.5), short).kind).toBe('turn');
  });

  it('ends the session when the reconnect window has passed since the last turn', () => {
    const idle = session({ lastActivity: at(0), lastDisconnectAt: at(0) });
    expect(textTurnVerdict(idle, at(3601), limits)).toEqual({ kind: 'end', endReason: 'conversation_ttl_exceeded' });
    expect(textTurnVerdict(idle, at(3599), limits).kind).toBe('turn');
  });
});

describe('sessionInProgress (the assessment lock)', () => {
  it('holds a session that is live, or can still be carried on', () => {
    expect(
      sessionInProgress(session({ channel: 'voice', connectedSince: at(0), lastActivity: at(0) }), at(3), 3600),
    ).toBe(true);
    expect(sessionInProgress(session({ status: 'pending' }), at(60), 3600)).toBe(true);
    expect(sessionInProgress(session({ lastDisconnectAt: at(0), elapsedActiveTime: 300 }), at(1800), 3600)).toBe(true);
  });

  it('releases an ended session, one past its reconnect window, and one with no time left', () => {
    expect(sessionInProgress(session({ status: 'ended', endReason: 'user_ended' }), at(1), 3600)).toBe(false);
    expect(sessionInProgress(session({ lastDisconnectAt: at(0) }), at(3601), 3600)).toBe(false);
    expect(sessionInProgress(session({ lastDisconnectAt: at(0), elapsedActiveTime: 600 }), at(10), 3600)).toBe(false);
  });
});

describe('the text refusals', () => {
  it('answer with their codes (409 both, apps/api/test/error-status.test.ts)', () => {
    expect(voiceLiveError()).toMatchObject({
      code: 'SESSION_CHANNEL_CONFLICT',
      details: { channel: 'voice' },
    });
    expect(sessionBusyError()).toMatchObject({ code: 'SESSION_BUSY' });
  });
});
