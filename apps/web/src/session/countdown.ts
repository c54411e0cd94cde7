/**
 * The countdown of a session's active time. The API's figures
 * (`duration_limit`, `elapsed_active_time`) are the truth; between them the
 * clock runs locally, and only while the session is live (connected with the
 * patient, or the typing page open). A pause freezes it; each figure from the
 * API re-syncs it.
 */
export interface Countdown {
  limit: number;
  /** Active seconds used at `markMs`. */
  elapsed: number;
  markMs: number;
  running: boolean;
}

/** A figure from the API closer than this to the local clock is not applied, so the display never jitters. */
export const RESYNC_TOLERANCE_SECONDS = 1.5;

export function countdownFrom(limit: number, elapsed: number, nowMs: number, running = false): Countdown {
  return { limit, elapsed: Math.max(0, elapsed), markMs: nowMs, running };
}

/** Active seconds used as of `nowMs`, never above the limit. */
export function elapsedAt(clock: Countdown, nowMs: number): number {
  const running = clock.running ? Math.max(0, nowMs - clock.markMs) / 1000 : 0;
  return Math.min(clock.limit, clock.elapsed + running);
}

export function remainingAt(clock: Countdown, nowMs: number): number {
  return Math.max(0, clock.limit - elapsedAt(clock, nowMs));
}

/** Start (or keep) the clock running from now. */
export function resume(clock: Countdown, nowMs: number): Countdown {
  if (clock.running) return clock;
  return { ...clock, markMs: nowMs, running: true };
}

/** Stop the clock where it stands (disconnected, reconnecting, waiting). */
export function pause(clock: Countdown, nowMs: number): Countdown {
  if (!clock.running) return clock;
  return { ...clock, elapsed: elapsedAt(clock, nowMs), markMs: nowMs, running: false };
}

/** Take the API's figure unless it agrees with the local clock to within the tolerance. */
export function resync(clock: Countdown, figure: { elapsed: number; limit: number }, nowMs: number): Countdown {
  const local = elapsedAt(clock, nowMs);
  if (figure.limit === clock.limit && Math.abs(figure.elapsed - local) < RESYNC_TOLERANCE_SECONDS) return clock;
  return { ...clock, limit: figure.limit, elapsed: Math.min(figure.limit, figure.elapsed), markMs: nowMs };
}

/** `9:05`, or `0:00` at the end. */
export function formatClock(seconds: number): string {
  const whole = Math.ceil(Math.max(0, seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** Words a screen reader announces now and then, not every second. */
export function spokenClock(seconds: number): string {
  const whole = Math.ceil(Math.max(0, seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes === 0) return `${rest} seconds left`;
  return rest === 0 ? `${minutes} minutes left` : `${minutes} minutes ${rest} seconds left`;
}
