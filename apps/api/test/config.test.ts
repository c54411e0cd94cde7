import { describe, expect, it } from 'vitest';
import { apiConfigSchema, DEV_JWT_SECRET } from '../src/config.js';

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
    const config = apiConfigSchema.parse({ NODE_ENV: 'production', JWKS_URL: 'https://idp.example/jwks.json' });
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it('rejects a short JWT secret and a non-numeric PORT, naming each', () => {
    expect(apiConfigSchema.safeParse({ JWT_SECRET: 'short' }).error?.issues[0]?.path).toEqual(['JWT_SECRET']);
    expect(apiConfigSchema.safeParse({ PORT: 'eighty' }).error?.issues[0]?.path).toEqual(['PORT']);
  });
});
