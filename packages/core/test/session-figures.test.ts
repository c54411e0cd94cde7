import { describe, expect, it } from 'vitest';
import {
  countWords,
  durationSeconds,
  fullTranscript,
  messageOffset,
  pendingDeadline,
  pendingExpired,
  reconnectsRemaining,
  resumeCountsReconnect,
  resumeDeadline,
  resumeVerdict,
  sessionInProgress,
  wordCount,
} from '../src/index.js';
import { at, sessionClock, t0 } from './support/clock.js';

const limits = { maxReconnects: 2, reconnectWindowSeconds: 3600 };

describe('transcript figures', () => {
  it('counts runs of non-space characters as words, per side', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  \n ')).toBe(0);
    expect(countWords(" I'm  fine,\tthanks \n doctor ")).toBe(4);
    expect(
      wordCount([
        { role: 'user', content: 'How are you?' },
        { role: 'assistant', content: 'Tired.' },
        { role: 'user', content: 'Since when' },
      ]),
    ).toEqual({ student: 5, patient: 1, total: 6 });
  });

  it('writes one line per turn in sequence order, whatever order it is given in', () => {
    expect(
      fullTranscript([
        { role: 'user', content: 'Second', sequence: 2 },
        { role: 'assistant', content: 'First\nline', sequence: 1 },
      ]),
    ).toBe('Patient: First line\nStudent: Second');
    expect(fullTranscript([])).toBe('');
  });

  it('measures the duration to the end, or to now, and nothing before a start', () => {
    expect(durationSeconds(null, null, at(50))).toBeNull();
    expect(durationSeconds(t0, null, at(42.5))).toBe(42.5);
    expect(durationSeconds(t0, at(30), at(500))).toBe(30);
    expect(messageOffset(at(12.25), t0)).toBe(12.25);
    expect(messageOffset(at(12), null)).toBeNull();
  });
});

describe('expiry figures', () => {
  it('closes the reconnect window an hour after the last disconnect', () => {
    const session = sessionClock({ lastDisconnectAt: at(100), reconnectCount: 1 });
    expect(resumeDeadline(session, at(200), limits)).toEqual(at(3700));
    expect(reconnectsRemaining(session, limits)).toBe(1);
  });

  it('has no deadline when the session cannot be resumed', () => {
    expect(resumeDeadline(sessionClock({ reconnectCount: 2, lastDisconnectAt: at(1) }), at(2), limits)).toBeNull();
    expect(resumeDeadline(sessionClock({ elapsedActiveTime: 600, lastDisconnectAt: at(1) }), at(2), limits)).toBeNull();
    expect(resumeDeadline(sessionClock({ lastDisconnectAt: at(1) }), at(3602), limits)).toBeNull();
    const ended = sessionClock({ status: 'ended', endReason: 'user_ended', reconnectCount: 1 });
    expect(resumeDeadline(ended, at(2), limits)).toBeNull();
    expect(reconnectsRemaining(ended, limits)).toBe(0);
  });
});

describe('sessions that never start', () => {
  const pending = sessionClock({ status: 'pending', startTime: null, reconnectCount: 2 });

  it('lets a session that never connected resume without counting a reconnect', () => {
    expect(resumeVerdict(pending, at(60), limits)).toEqual({ kind: 'resume' });
    expect(resumeCountsReconnect(pending)).toBe(false);
    expect(resumeCountsReconnect(sessionClock())).toBe(true);
  });

  it('no longer holds the assessment lock once it timed out, swept or not', () => {
    const opened = { ...pending, reconnectCount: 0, roomOpenedAt: at(0) };
    expect(sessionInProgress(opened, at(299), 3600, 300)).toBe(true);
    expect(sessionInProgress(opened, at(300), 3600, 300)).toBe(false);
    expect(sessionInProgress({ ...sessionClock(), roomOpenedAt: at(0) }, at(300), 3600, 300)).toBe(true);
  });

  it('times out a pending session the given seconds after its room opened, and nothing else', () => {
    const opened = { ...pending, roomOpenedAt: at(100) };
    expect(pendingDeadline(opened, 300)).toEqual(at(400));
    expect(pendingExpired(opened, at(399), 300)).toBe(false);
    expect(pendingExpired(opened, at(400), 300)).toBe(true);
    expect(pendingExpired({ ...sessionClock(), roomOpenedAt: at(0) }, at(9999), 300)).toBe(false);
    expect(
      pendingDeadline({ ...sessionClock({ status: 'ended', endReason: 'user_ended' }), roomOpenedAt: t0 }, 1),
    ).toBeNull();
  });
});
