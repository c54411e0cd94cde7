import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs one of the worker's entry files as its own process, with only the given settings. */
function run(entry: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('the worker commands', () => {
  it('`pnpm dev` without a LiveKit server: says so in one line and exits 0', async () => {
    const livekitUrl = `ws://127.0.0.1:${await closedPort()}`;

    const { code, stdout, stderr } = await run('apps/agent/src/dev.ts', [], { LIVEKIT_URL: livekitUrl });

    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      expect.stringMatching(new RegExp(`^\\[agent\\] no LiveKit server at ${livekitUrl}`)),
    ]);
    expect(stderr).toBe('');
  });

  it('`start` without DATABASE_URL: names it in one line and exits 1, starting no database', async () => {
    const { code, stdout, stderr } = await run('apps/agent/src/main.ts', ['start'], {});

    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^configuration error: DATABASE_URL: /)]);
    expect(stdout).toBe('');
  });
});
