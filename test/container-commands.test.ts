/**
 * The containers' commands, read statically from infra/: every Node process
 * runs `node` itself in exec form, so SIGTERM reaches it and the container
 * waits for it (pnpm as PID 1 passes SIGTERM on and exits without waiting:
 * the worker's drain and the consumer's hand-back would be cut). And the
 * LiveKit server never creates a room on a join (the API creates each room
 * with the patient dispatched into it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentConfig } from '../apps/agent/src/config.js';
import { PARTICIPANT_TOKEN_TTL_SECONDS, ROOM_EMPTY_TIMEOUT_SECONDS } from '../apps/api/src/http/livekit.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  build?: unknown;
  command?: unknown;
  init?: boolean;
  stop_grace_period?: string;
}
const compose = parse(read('infra/docker-compose.yml')) as { services: Record<string, Service> };
const imageServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

/** The Dockerfile's CMD / ENTRYPOINT instructions, as written. */
const dockerfileInstructions = read('infra/Dockerfile')
  .split('\n')
  .filter((line) => /^(CMD|ENTRYPOINT)\b/.test(line));

/** Fails unless `command` is exec form running `node` (tsx as a loader only) on an entry file that exists. */
function expectNodeInExecForm(command: unknown, where: string) {
  expect(Array.isArray(command), `${where}: exec form (a JSON array), not a shell string`).toBe(true);
  const argv = command as string[];
  expect(argv[0], `${where}: node itself is PID 1's child, no package manager`).toBe('node');
  expect(
    argv.filter((arg) => /^(pnpm|npm|npx|yarn|sh|bash)$/.test(arg)),
    where,
  ).toEqual([]);
  const entry = argv.find((arg) => arg.endsWith('.ts') || arg.endsWith('.js'));
  expect(entry, `${where}: names its entry file`).toBeDefined();
  expect(existsSync(join(root, entry ?? '')), `${where}: ${entry} exists`).toBe(true);
}

function seconds(duration: string): number {
  const match = duration.match(/^(\d+)(s|m|h)$/);
  if (!match) throw new Error(`unreadable duration ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
}

describe('the container commands', () => {
  it('run node directly in exec form in every service built from the image', () => {
    expect(imageServices.map(([name]) => name).sort()).toEqual(['agent', 'api', 'jobs', 'migrate']);
    for (const [name, service] of imageServices) expectNodeInExecForm(service.command, `compose service ${name}`);
  });

  it("run node directly in exec form in the Dockerfile's default command", () => {
    expect(dockerfileInstructions).toHaveLength(1);
    const [instruction = ''] = dockerfileInstructions;
    expect(instruction).toMatch(/^CMD \[/);
    expectNodeInExecForm(JSON.parse(instruction.replace(/^CMD /, '')), 'Dockerfile CMD');
  });

  it('start the worker with `start`, under an init that forwards SIGTERM, given its whole drain to stop', () => {
    const agent = compose.services.agent as Service;
    expect((agent.command as string[]).slice(-2)).toEqual(['apps/agent/src/main.ts', 'start']);
    expect(agent.init).toBe(true);
    expect(seconds(agent.stop_grace_period ?? '10s')).toBeGreaterThan(agentConfig().AGENT_DRAIN_SECONDS);
  });

  it('run the API and the grading consumer from their own entry files', () => {
    expect(compose.services.api?.command).toContain('apps/api/src/main.ts');
    expect(compose.services.jobs?.command).toContain('apps/api/src/jobs.ts');
  });
});

describe("the containers' environment", () => {
  it("leaves OPENAI_BASE_URL unset by default, so the worker knows it talks to OpenAI and checks a case's voice", () => {
    const raw = read('infra/docker-compose.yml');
    const defaults = [...raw.matchAll(/OPENAI_BASE_URL: \$\{OPENAI_BASE_URL:-([^}]*)\}/g)].map((m) => m[1]);
    expect(defaults.length).toBeGreaterThan(0);
    expect(defaults.every((value) => value === '')).toBe(true);
  });
});

describe('the LiveKit server configuration', () => {
  const livekit = parse(read('infra/livekit.yaml')) as {
    room?: { auto_create?: boolean; empty_timeout?: number };
  };

  it('never creates a room on a join: rooms come from the API, with the patient dispatched', () => {
    expect(livekit.room?.auto_create).toBe(false);
  });

  it('keeps an unjoined room as long as the join token lives', () => {
    expect(ROOM_EMPTY_TIMEOUT_SECONDS).toBeGreaterThanOrEqual(PARTICIPANT_TOKEN_TTL_SECONDS);
    expect(livekit.room?.empty_timeout).toBeGreaterThanOrEqual(PARTICIPANT_TOKEN_TTL_SECONDS);
  });
});
