/** The README leads and stays short, the docs it links exist, and CI runs what the README promises. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');
const docs = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The shell lines of the README's quick start, comments stripped. */
function quickStartCommands(): string[] {
  const section = readme.split('## Quick start')[1]?.split('\n## ')[0] ?? '';
  const block = section.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

describe('the README', () => {
  it('is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('leads with what it is, the quick start, the no-key tour, then the architecture', () => {
    const order = ['## Quick start', '## A five-minute tour, no keys', '## Architecture', '## Documentation'];
    const positions = order.map((heading) => readme.indexOf(`\n${heading}\n`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('starts the stack and the tests with only Node on the PATH (npx, no global pnpm)', () => {
    const commands = quickStartCommands();
    expect(commands).toEqual([
      'npx -y pnpm@10 install && npx -y pnpm@10 dev',
      'npx -y pnpm@10 install && npx -y pnpm@10 test',
    ]);
  });

  it('tours the text channel, which needs no LiveKit server and no key', () => {
    const tour = readme.split('## A five-minute tour, no keys')[1]?.split('\n## ')[0] ?? '';
    expect(tour).toContain('"channel\\":\\"text\\"');
    for (const step of ['/initialize', '/messages', '/end', '/report', 'db:sql']) expect(tour).toContain(step);
    expect(tour).toContain('pnpm() { npx -y pnpm@10 "$@"; }');
  });
});

describe('the docs', () => {
  it('has a page for each topic the README leaves out', () => {
    for (const page of [
      'configuration',
      'api',
      'sessions',
      'grading',
      'text-channel',
      'worker',
      'database',
      'deploying',
      'benchmarks',
    ])
      expect(existsSync(join(root, 'docs', `${page}.md`)), page).toBe(true);
    expect(existsSync(join(root, 'CONTRIBUTING.md'))).toBe(true);
  });

  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const doc of docs) {
      for (const [, target] of read(doc).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(join(root, dirname(doc)), target))) broken.push(`${doc} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('speaks of the product itself, never of documents a reader cannot open', () => {
    const offending = docs.flatMap((doc) =>
      read(doc)
        .split('\n')
        .filter((line) => /\bthe seed\b|\bthe contract\b|seeds\//i.test(line))
        .map((line) => `${doc}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });

  it('gives every benchmark figure its date, commit and machine', () => {
    const benchmarks = read('docs/benchmarks.md');
    expect(benchmarks).toMatch(/\b20\d\d-\d\d-\d\d\b/);
    expect(benchmarks).toMatch(/commit `[0-9a-f]{7,40}`/);
    expect(benchmarks).toMatch(/2 vCPU/);
    expect(benchmarks).toMatch(/Node 20/);
  });
});

describe('CI', () => {
  it('runs lint and typecheck, then exactly the README test command', () => {
    const ci = read('.ci/run');
    const lint = ci.indexOf('\npnpm lint\n');
    const typecheck = ci.indexOf('\npnpm typecheck\n');
    const test = ci.indexOf(`\n${quickStartCommands()[1]?.split(' && ')[1]}\n`);
    expect(lint).toBeGreaterThan(0);
    expect(typecheck).toBeGreaterThan(lint);
    expect(test).toBeGreaterThan(typecheck);
  });
});
