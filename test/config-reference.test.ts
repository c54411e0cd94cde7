/** `.env.example` and docs/configuration.md are generated from the zod config schemas and kept current. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedFiles, renderEnvExample, settings } from '../scripts/config-reference.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the configuration reference', () => {
  it.each(Object.entries(generatedFiles()))('%s is current (else run `pnpm config:generate`)', (path, text) => {
    expect(readFileSync(join(root, path), 'utf8'), `${path} is stale: run pnpm config:generate`).toBe(text);
  });

  it('describes every setting in one line', () => {
    const list = settings();
    expect(list.length).toBeGreaterThan(30);
    expect(list.filter((setting) => !setting.description).map((setting) => setting.name)).toEqual([]);
    expect(list.filter((setting) => setting.description?.includes('\n')).map((setting) => setting.name)).toEqual([]);
  });

  it('lists each variable once with the default the schema applies', () => {
    const list = settings();
    expect(new Set(list.map((setting) => setting.name)).size).toBe(list.length);
    const byName = Object.fromEntries(list.map((setting) => [setting.name, setting]));
    expect(byName.PORT?.defaultValue).toBe('8080');
    expect(byName.EMBEDDED_POSTGRES_DIR?.defaultValue).toBe('.data/postgres');
    expect(byName.GRADING_IN_API?.defaultValue).toBe('true');
    expect(byName.DATABASE_URL?.defaultValue).toBeUndefined();
    expect(byName.LIVEKIT_URL?.readers).toEqual(['api', 'agent']);
  });

  it('writes .env.example so that copying it to .env changes nothing', () => {
    const active = renderEnvExample()
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(active).toEqual([]);
    expect(renderEnvExample()).toContain('\n# PORT=8080\n');
  });
});
