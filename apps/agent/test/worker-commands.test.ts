import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs one of the worker's entry files as its own process, with only the given settings. */
function run(entry: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '', ...env },
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

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): string[] {
  const found = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return found.stdout.split('\n').filter((line) => line.trim() !== '');
}

/** Polls `check` until it answers (or 60 s pass, answering 'timeout'). */
async function eventuallyOutcome(check: () => string | null): Promise<string> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const answer = check();
    if (answer) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'timeout';
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('the worker commands', () => {
  it('`pnpm dev` with neither a LiveKit server nor a model: names both in one line and exits 0', async () => {
    const livekitUrl = `ws://127.0.0.1:${await closedPort()}`;

    const { code, stdout, stderr } = await run('apps/agent/src/dev.ts', [], { LIVEKIT_URL: livekitUrl });

    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[agent\\] worker not started: no LiveKit server at ${livekitUrl} \\(.*\\); no model endpoint \\(set OPENAI_API_KEY.*\\)$`,
        ),
      ),
    ]);
    expect(stderr).toBe('');
  });

  it('`pnpm dev` with a model but no LiveKit server: names only what is missing', async () => {
    const livekitUrl = `ws://127.0.0.1:${await closedPort()}`;

    const { code, stdout } = await run('apps/agent/src/dev.ts', [], {
      LIVEKIT_URL: livekitUrl,
      OPENAI_API_KEY: 'sk-test',
    });

    expect(code).toBe(0);
    expect(lines(stdout)).toEqual([
      expect.stringMatching(
        new RegExp(`^\\[agent\\] worker not started: no LiveKit server at ${livekitUrl} \\([^;]*\\)$`),
      ),
    ]);
  });

  it('`start` without DATABASE_URL: names it in one line and exits 1, starting no database', async () => {
    const { code, stdout, stderr } = await run('apps/agent/src/main.ts', ['start'], {});

    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^configuration error: DATABASE_URL: /)]);
    expect(stdout).toBe('');
  });

  it('`start` with LOG_LEVEL=silent: the framework CLI, which knows no `silent`, takes it as fatal and the worker runs', async () => {
    const livekitUrl = `ws://127.0.0.1:${await closedPort()}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/agent/src/main.ts', 'start'], {
      cwd: root,
      // Its own process group, so the worker and its job processes go together at the end.
      detached: true,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'silent',
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        LIVEKIT_URL: livekitUrl,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    let exit: string | undefined;
    child.on('exit', (code) => {
      exit = `exited ${code}`;
    });

    // Running means past the CLI's parsing: the worker has forked its first process.
    const outcome = await eventuallyOutcome(() => exit ?? (childrenOf(child.pid ?? 0).length > 0 ? 'running' : null));

    try {
      expect(output).toBe('');
      expect(outcome).toBe('running');
    } finally {
      if (exit === undefined && child.pid) process.kill(-child.pid, 'SIGKILL');
    }
  });
});

describe('Ctrl-C under `pnpm dev`', () => {
  it("reaches the worker exactly once, whether from the terminal's process group or the launcher's SIGTERM", async () => {
    // The parent runs as a terminal's foreground group would: its own group, which Ctrl-C signals as a whole.
    const parent = spawn(process.execPath, ['--import', 'tsx', 'apps/agent/test/fixtures/relay-parent.ts'], {
      cwd: root,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    let stdout = '';
    parent.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => parent.on('exit', resolve));
    expect(await eventuallyOutcome(() => (stdout.includes('ready') ? 'ready' : null))).toBe('ready');

    // The terminal's Ctrl-C to the whole group, then scripts/dev.ts stopping its apps with SIGTERM.
    process.kill(-(parent.pid ?? 0), 'SIGINT');
    parent.kill('SIGTERM');

    expect(await exited).toBe(0);
    // Exactly one stop signal: whichever of the two the parent handled first.
    expect(lines(stdout)).toEqual(['ready', expect.stringMatching(/^SIG(INT|TERM)$/)]);
  });
});
