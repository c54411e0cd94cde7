/**
 * Stopping on SIGINT/SIGTERM within a deadline. A container runtime kills a process some seconds
 * after SIGTERM (Docker's default `stop_grace_period` is 10 s, which the API and the grading
 * consumer run under); a stop that has not finished by the deadline is abandoned with one line and
 * exit status 1, so the process ends on its own terms before the kill. The worker is the exception:
 * LiveKit's CLI owns its signals and drains calls within AGENT_DRAIN_SECONDS (docs/worker.md).
 */

/** Within Docker's default 10 s grace period, with a second to spare for the exit itself. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

export interface StopOnSignalOptions {
  /** How long `stop` may take before the process exits anyway (default SHUTDOWN_DEADLINE_MS). */
  deadlineMs?: number;
  /** Where the line about an abandoned stop goes. */
  log?: (line: string) => void;
}

/** Runs `stop` once on the first SIGINT or SIGTERM, then exits (130 / 143; 1 when the deadline passed first). */
export function stopOnSignal(stop: () => Promise<void>, options: StopOnSignalOptions = {}): void {
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const log = options.log ?? ((line: string) => console.error(line));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => {
      log(`shutdown did not finish within ${deadlineMs} ms of ${signal}; exiting anyway`);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
