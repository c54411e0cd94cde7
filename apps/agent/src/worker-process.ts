/**
 * How `pnpm dev` runs the worker as a child process so that one Ctrl-C winds
 * its calls down. The framework's CLI treats a second SIGINT as "pressed
 * twice" and exits at once, and a terminal's Ctrl-C reaches every process of
 * its foreground group: a worker in that group would get the terminal's SIGINT
 * and then the parent's forwarded one. So the worker runs in a process group
 * of its own and is sent exactly one stop signal: the first that arrives.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Starts `node --import tsx <entry> ...args` in its own process group, sharing the terminal. */
export function spawnWorker(entry: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const worker = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    stdio: 'inherit',
    env,
    detached: true,
  });
  // A parent that exits any other way still takes the worker with it.
  process.once('exit', () => {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
  });
  return worker;
}

/** Forwards the first SIGINT or SIGTERM the parent gets to the worker, once; later ones wait for it to finish. */
export function relayStopSignal(worker: ChildProcess): void {
  let relayed = false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (relayed) return;
      relayed = true;
      worker.kill(signal);
    });
  }
}
