import { describe, expect, it } from 'vitest';
import {
  countdownFrom,
  formatClock,
  pause,
  RESYNC_TOLERANCE_SECONDS,
  remainingAt,
  resume,
  resync,
  spokenClock,
} from '../src/session/countdown';

const T0 = 1_000_000;
const at = (seconds: number) => T0 + seconds * 1000;

describe('the session countdown', () => {
  it('starts from duration_limit − elapsed_active_time and runs only while running', () => {
    const stopped = countdownFrom(600, 185, T0);
    expect(remainingAt(stopped, at(30))).toBe(415);

    const running = resume(stopped, T0);
    expect(remainingAt(running, at(30))).toBe(385);
  });

  it('freezes on a pause (a drop) and carries on from the same figure on resume', () => {
    let clock = resume(countdownFrom(600, 0, T0), T0);
    clock = pause(clock, at(100));
    expect(remainingAt(clock, at(400))).toBe(500);
    clock = resume(clock, at(400));
    expect(remainingAt(clock, at(410))).toBe(490);
  });

  it('never goes below zero', () => {
    const clock = resume(countdownFrom(600, 590, T0), T0);
    expect(remainingAt(clock, at(60))).toBe(0);
  });

  it("takes the API's figure when it differs, and ignores a difference within the tolerance", () => {
    const clock = resume(countdownFrom(600, 100, T0), T0);
    // Locally 110 s used at +10 s; the API says 130 (the worker counted while the page was busy).
    const synced = resync(clock, { elapsed: 130, limit: 600 }, at(10));
    expect(remainingAt(synced, at(10))).toBe(470);
    expect(synced.running).toBe(true);

    const close = resync(clock, { elapsed: 110 + RESYNC_TOLERANCE_SECONDS / 2, limit: 600 }, at(10));
    expect(close).toBe(clock);
  });

  it('re-syncs a paused clock without starting it, and follows a changed limit', () => {
    const paused = countdownFrom(600, 100, T0);
    const synced = resync(paused, { elapsed: 100, limit: 900 }, at(5));
    expect(synced.running).toBe(false);
    expect(remainingAt(synced, at(60))).toBe(800);
  });

  it('reads as m:ss, rounded up, and in words for screen readers', () => {
    expect(formatClock(600)).toBe('10:00');
    expect(formatClock(59.2)).toBe('1:00');
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(-3)).toBe('0:00');
    expect(spokenClock(125)).toBe('2 minutes 5 seconds left');
    expect(spokenClock(120)).toBe('2 minutes left');
    expect(spokenClock(9)).toBe('9 seconds left');
  });
});
