/** The session's remaining time, ticking while the clock runs; announced to screen readers once a minute. */
import { useEffect, useState } from 'react';
import { type Countdown, formatClock, remainingAt, spokenClock } from '../session/countdown';

export function CountdownClock({ clock }: { clock: Countdown | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!clock?.running) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [clock]);
  if (!clock) return null;
  const remaining = remainingAt(clock, Math.max(now, clock.markMs));
  const minuteMark = Math.ceil(remaining / 60) * 60;
  return (
    <p className="countdown" data-testid="countdown" data-remaining={Math.ceil(remaining)}>
      <span aria-hidden="true">{formatClock(remaining)}</span>
      <span className="visually-hidden">{spokenClock(remaining)}</span>
      <span className="countdown-state">{clock.running ? 'left' : 'left (paused)'}</span>
      <span className="visually-hidden" aria-live="polite">
        {spokenClock(minuteMark)}
      </span>
    </p>
  );
}
