/**
 * The README's five-minute tour works command by command as printed, with no keys and no LiveKit:
 * `pnpm dev` (the script it execs) serves the API, and the tour's shell blocks run in bash against
 * it; only the address differs (a free port instead of 8080).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, temporaryDataRoot } from '@sp/dev-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const tour = readme.split('## A five-minute tour, no keys')[1]?.split('\n## ')[0] ?? '';
const blocks = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, block]) => block ?? '');

let launcher: ChildProcess;
let env: Record<string, string | undefined>;
let dir: string;
let apiPort: number;

beforeAll(async () => {
  dir = await temporaryDataRoot('sp-tour-');
  apiPort = await freePort();
  const {
    DATABASE_URL: _,
    OPENAI_API_KEY: __,
    OPENAI_BASE_URL: ___,
    NODE_ENV: ____,
    JWT_SECRET: _____,
    ...inherited
  } = process.env;
  env = {
    ...inherited,
    PORT: String(apiPort),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    EMBEDDED_POSTGRES_DIR: join(dir, 'postgres'),
    LIVEKIT_URL: `ws://127.0.0.1:${await freePort()}`,
  };
  launcher = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', 'api'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let output = '';
  launcher.stdout?.on('data', (chunk) => (output += chunk));
  launcher.stderr?.on('data', (chunk) => (output += chunk));
  for (let waited = 0; !output.includes('"api listening"'); waited += 100) {
    if (launcher.exitCode !== null || waited > 90_000) throw new Error(`pnpm dev did not serve the API:\n${output}`);
    await sleep(100);
  }
}, 120_000);
afterAll(async () => {
  if (launcher?.exitCode === null) {
    const exited = once(launcher, 'exit');
    process.kill(-(launcher.pid ?? 0), 'SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe("the README's tour", { timeout: 180_000 }, () => {
  it('has its steps in shell blocks: token and case, start, talk, end, report, SQL', () => {
    expect(blocks.length).toBe(6);
    expect(blocks.join('\n')).toContain('API=http://localhost:8080');
  });

  it('runs as printed: a text session with the offline patient, its heuristic report and its transcript in SQL', async () => {
    const script = `set -euo pipefail\n${blocks.join('\n').replace('API=http://localhost:8080', `API=http://localhost:${apiPort}`)}`;
    const bash = spawn('bash', ['-c', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    bash.stdout.on('data', (chunk) => (stdout += chunk));
    bash.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(bash, 'close');

    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/^[0-9a-f-]{36}$/m); // echo $SESSION
    expect(stdout).toContain('"engine":"scripted"');
    expect(stdout.match(/^event: done$/gm)).toHaveLength(2);
    expect(stdout).toContain('"end_reason":"user_ended"');
    expect(stdout).toMatch(/"status":"completed","grader":"heuristic"/);
    expect(stdout).toMatch(/^ sequence \| role +\| channel \| content/m);
    expect(stdout).toMatch(/^ 4 +\| assistant \| text +\| /m);
    expect(stdout).toContain('(4 rows)');
  });
});
