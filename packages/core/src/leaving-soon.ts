/**
 * The patient's leaving-soon warning, as pure rules: once per session, when
 * the active time left falls to the configured warning
 * (AGENT_WARNING_BEFORE_END_SECONDS; 0 turns it off). By voice the worker
 * schedules it (`secondsUntilWarning`); by text the turn that crosses into it
 * carries it (`turnCrossesWarning`). The only implementation of the rule.
 */
import { z } from 'zod';
import { SESSION_DEFAULTS } from './session-rules.js';

/** The setting, read by the worker (voice) and the API (text) alike. */
export const warningBeforeEndSetting = z.coerce
  .number()
  .min(0)
  .default(SESSION_DEFAULTS.warningBeforeEndSeconds)
  .describe(
    'how long before the end the patient says it has to leave soon (by voice, and in its text replies), in seconds; `0` for never',
  );

/** Is the warning due with this much active time left? Never at 0 s left (the goodbye comes instead), never when off. */
export function warningDue(remainingSeconds: number, warningSeconds: number): boolean {
  return warningSeconds > 0 && remainingSeconds > 0 && remainingSeconds <= warningSeconds;
}

/** Active seconds until the warning is due (0: now), or null when it will not come (off, or the time is up). */
export function secondsUntilWarning(remainingSeconds: number, warningSeconds: number): number | null {
  if (warningSeconds <= 0 || remainingSeconds <= 0) return null;
  return Math.max(0, remainingSeconds - warningSeconds);
}

/** Does a text turn that took the clock from `elapsedBefore` to `elapsedAfter` cross into the warning? */
export function turnCrossesWarning(
  durationLimit: number,
  elapsedBefore: number,
  elapsedAfter: number,
  warningSeconds: number,
): boolean {
  return (
    warningDue(durationLimit - elapsedAfter, warningSeconds) &&
    !warningDue(durationLimit - elapsedBefore, warningSeconds)
  );
}
