/** The API's feature boundaries (scripts/check-boundaries.ts, run by `pnpm lint` in CI) hold, and the check sees a breach. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_SOURCE, checkBoundaries } from '../scripts/check-boundaries.js';

const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A source tree of the given files (path → text). */
function tree(name: string, files: Record<string, string>): string {
  const src = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), text);
  }
  return src;
}

describe('feature boundaries', () => {
  it('hold in the API as it is', () => {
    expect(checkBoundaries(API_SOURCE)).toEqual([]);
  });

  it('let a feature import itself, the shared layers, the settings and packages', () => {
    const src = tree('allowed', {
      'config.ts': 'export const x = 1;',
      'app.ts': "import { a } from './alpha/routes.js';\nimport { b } from './beta/routes.js';",
      'cli/token.ts': "import { a } from '../alpha/routes.js';",
      'http/errors.ts': "import { s } from '../streaming/event-stream.js';\nimport { x } from '../config.js';",
      'streaming/event-stream.ts': "import { e } from '../http/errors.js';",
      'alpha/routes.ts': [
        "import { z } from 'zod';",
        "import { db } from '@sp/db';",
        "import { store } from './store.js';",
        "import type { Caller } from '../http/app-context.js';",
        "import { eventStream } from '../streaming/event-stream.js';",
        "import type { ApiConfig } from '../config.js';",
      ].join('\n'),
    });
    expect(checkBoundaries(src)).toEqual([]);
  });

  it("catch a feature importing another feature's file, however it imports it", () => {
    const src = tree('breached', {
      'alpha/routes.ts': "import { isUuid } from '../beta/store.js';",
      'alpha/lazy.ts': "const m = await import('../beta/store.js');",
      'alpha/again.ts': "export { isUuid } from '../beta/store.js';",
      'alpha/wiring.ts': "import { createApp } from '../app.js';",
      'http/auth.ts': "import { isUuid } from '../beta/store.js';",
    });
    const found = checkBoundaries(src).map((v) => `${v.file} ${v.specifier}`);
    expect(found.sort()).toEqual(
      [
        'alpha/again.ts ../beta/store.js',
        'alpha/lazy.ts ../beta/store.js',
        'alpha/routes.ts ../beta/store.js',
        'alpha/wiring.ts ../app.js',
        'http/auth.ts ../beta/store.js',
      ].sort(),
    );
  });
});
