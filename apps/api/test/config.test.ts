import { exitOnConfigError, loadConfig } from '@sp/runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiConfigSchema, DEV_JWT_SECRET } from '../src/config.js';

/** What a production deployment brings besides the LiveKit credentials under test. */
const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) };
const liveKitCredentials = { LIVEKIT_API_KEY: 'APIprodKey123', LIVEKIT_API_SECRET: 'prod-livekit-secret-0123456789' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('API configuration', () => {
  it('runs on documented defaults outside production, with the dev JWT secret', () => {
    const config = apiConfigSchema.parse({});
    expect(config).toMatchObject({
      PORT: 8080,
      JWT_SECRET: DEV_JWT_SECRET,
      LIVEKIT_URL: 'ws://localhost:7880',
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'secret',
      AGENT_NAME: 'standardized-patient',
      LIVEKIT_REQUEST_TIMEOUT_SECONDS: 5,
      RECONNECT_WINDOW_SECONDS: 3600,
      MAX_RECONNECTS: 2,
    });
  });

  it('refuses to start in production without JWT_SECRET or JWKS_URL, naming JWT_SECRET', () => {
    const result = apiConfigSchema.safeParse({ NODE_ENV: 'production' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['JWT_SECRET']);
  });

  it('never falls back to the dev secret in production', () => {
    const config = apiConfigSchema.parse({
      NODE_ENV: 'production',
      JWKS_URL: 'https://idp.example/jwks.json',
      ...liveKitCredentials,
    });
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it('rejects a short JWT secret and a non-numeric PORT, naming each', () => {
    expect(apiConfigSchema.safeParse({ JWT_SECRET: 'short' }).error?.issues[0]?.path).toEqual(['JWT_SECRET']);
    expect(apiConfigSchema.safeParse({ PORT: 'eighty' }).error?.issues[0]?.path).toEqual(['PORT']);
  });

  it('refuses to start in production with the livekit-server --dev credentials, in one line naming both variables', () => {
    for (const [credentials, named] of [
      [{}, 'LIVEKIT_API_KEY'],
      [{ LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: liveKitCredentials.LIVEKIT_API_SECRET }, 'LIVEKIT_API_KEY'],
      [{ LIVEKIT_API_KEY: liveKitCredentials.LIVEKIT_API_KEY, LIVEKIT_API_SECRET: 'secret' }, 'LIVEKIT_API_SECRET'],
    ] as const) {
      const result = apiConfigSchema.safeParse({ ...production, ...credentials });
      expect(result.success, JSON.stringify(credentials)).toBe(false);
      expect(result.error?.issues).toHaveLength(1);
      const issue = result.error?.issues[0];
      expect(issue?.path).toEqual([named]);
      expect(issue?.message).toContain('LIVEKIT_API_KEY');
      expect(issue?.message).toContain('LIVEKIT_API_SECRET');
      expect(issue?.message).not.toContain('\n');
    }
  });

  it('stops the API at start with that refusal as one line', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });

    expect(() => exitOnConfigError(() => loadConfig(apiConfigSchema, { ...production }))).toThrow('exit 1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^configuration error: LIVEKIT_API_KEY: .*LIVEKIT_API_SECRET/);
    expect(lines[0]).not.toContain('\n');
  });

  it('names every production problem at once, with another bad setting beside them', () => {
    const result = apiConfigSchema.safeParse({ NODE_ENV: 'production', PORT: 'eighty' });
    expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(['PORT', 'JWT_SECRET', 'LIVEKIT_API_KEY']);
  });

  it('starts in production with its own LiveKit credentials, and keeps the dev ones outside production', () => {
    expect(apiConfigSchema.parse({ ...production, ...liveKitCredentials })).toMatchObject(liveKitCredentials);
    expect(apiConfigSchema.parse({ NODE_ENV: 'test' })).toMatchObject({ LIVEKIT_API_KEY: 'devkey' });
  });

  it('takes LIVEKIT_REQUEST_TIMEOUT_SECONDS in (fractional) seconds and rejects a non-positive one, naming it', () => {
    expect(apiConfigSchema.parse({ LIVEKIT_REQUEST_TIMEOUT_SECONDS: '0.5' }).LIVEKIT_REQUEST_TIMEOUT_SECONDS).toBe(0.5);
    for (const bad of ['0', '-1', 'soon', '61']) {
      const result = apiConfigSchema.safeParse({ LIVEKIT_REQUEST_TIMEOUT_SECONDS: bad });
      expect(result.error?.issues[0]?.path, bad).toEqual(['LIVEKIT_REQUEST_TIMEOUT_SECONDS']);
    }
  });
});
