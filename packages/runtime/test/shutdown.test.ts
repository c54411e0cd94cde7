import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_DEADLINE_MS } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/stopping.ts', import.meta.url));

/** Runs the fixture, sends `signal` once it is ready, and gives back its exit code and output. */
async function stopWith(signal: NodeJS.Signals, takesMs: number, deadlineMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, String(takesMs), String(deadlineMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('ready')) resolve();
    }),
  );
  const started = Date.now();
  child.kill(signal);
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr, tookMs: Date.now() - started };
}

describe('stopOnSignal', () => {
  it('runs the stop once and exits 143 on SIGTERM, 130 on SIGINT', async () => {
    const term = await stopWith('SIGTERM', 50, 5_000);
    expect(term.code).toBe(143);
    expect(term.stdout).toContain('stopped');
    const int = await stopWith('SIGINT', 50, 5_000);
    expect(int.code).toBe(130);
  });

  it('exits 1 with one line when the stop outlasts its deadline, without waiting for it', async () => {
    const late = await stopWith('SIGTERM', 60_000, 300);
    expect(late.code).toBe(1);
    expect(late.stdout).not.toContain('stopped');
    expect(late.stderr.trim()).toBe('shutdown did not finish within 300 ms of SIGTERM; exiting anyway');
    expect(late.tookMs).toBeLessThan(5_000);
  });

  it("by default ends within Docker's 10 s stop grace period", () => {
    expect(SHUTDOWN_DEADLINE_MS).toBeLessThan(10_000);
  });
});
