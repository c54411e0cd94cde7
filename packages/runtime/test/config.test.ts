import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConfigError, exitOnConfigError, loadConfig, loadConfigs } from '../src/index.js';

const portSchema = z.object({ PORT: z.coerce.number().int().min(1).default(8080) });
const nameSchema = z.object({ NAME: z.string().min(3), PORT: z.coerce.number().int().min(1).default(8080) });

/** Whatever `body` threw. */
function thrown(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('loadConfig', () => {
  it('gives the parsed values and the defaults', () => {
    expect(loadConfig(portSchema, { ENV_FILE: '' })).toEqual({ PORT: 8080 });
    expect(loadConfig(portSchema, { ENV_FILE: '', PORT: '9000' })).toEqual({ PORT: 9000 });
  });

  it('throws one ConfigError with every problem, never exiting', () => {
    const exit = vi.spyOn(process, 'exit');
    const error = thrown(() => loadConfigs({ a: portSchema, b: nameSchema }, { PORT: 'eighty', NAME: 'x' }));
    expect(error).toBeInstanceOf(ConfigError);
    // PORT is wrong for both schemas and named once; NAME is wrong too, and named as well.
    expect((error as ConfigError).problems.map((problem) => problem.name)).toEqual(['PORT', 'NAME']);
    expect((error as ConfigError).lines).toHaveLength(2);
    expect((error as ConfigError).lines[0]).toMatch(/^configuration error: PORT: /);
    expect(exit).not.toHaveBeenCalled();
    exit.mockRestore();
  });
});

describe('exitOnConfigError', () => {
  it('prints each problem in one line and exits 1; other errors pass through', () => {
    const lines: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    try {
      expect(() => exitOnConfigError(() => loadConfig(nameSchema, { PORT: '0' }))).toThrow('exit 1');
      expect(lines).toEqual([
        expect.stringMatching(/^configuration error: NAME: /),
        expect.stringMatching(/^configuration error: PORT: /),
      ]);
      expect(() =>
        exitOnConfigError(() => {
          throw new RangeError('not configuration');
        }),
      ).toThrow(RangeError);
      expect(exitOnConfigError(() => 42)).toBe(42);
    } finally {
      error.mockRestore();
      exit.mockRestore();
    }
  });
});
