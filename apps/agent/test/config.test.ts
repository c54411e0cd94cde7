import { describe, expect, it } from 'vitest';
import { agentConfig, agentConfigSchema } from '../src/config.js';

describe('the worker configuration', () => {
  it('persists the active time every 5 s by default and refuses a longer heartbeat', () => {
    expect(agentConfig().AGENT_HEARTBEAT_SECONDS).toBe(5);
    expect(agentConfig({ AGENT_HEARTBEAT_SECONDS: '2.5' }).AGENT_HEARTBEAT_SECONDS).toBe(2.5);
    expect(() => agentConfig({ AGENT_HEARTBEAT_SECONDS: '5.5' })).toThrow(/AGENT_HEARTBEAT_SECONDS/);
    expect(() => agentConfig({ AGENT_HEARTBEAT_SECONDS: '0' })).toThrow(/AGENT_HEARTBEAT_SECONDS/);
  });

  it("accepts only OpenAI's voices on OpenAI, and another server's own voice names with OPENAI_BASE_URL", () => {
    expect(agentConfig().AGENT_TTS_VOICE).toBe('alloy');
    expect(agentConfig({ AGENT_TTS_VOICE: 'coral' }).AGENT_TTS_VOICE).toBe('coral');
    expect(() => agentConfig({ AGENT_TTS_VOICE: 'darth' })).toThrow(/AGENT_TTS_VOICE/);
    const local = agentConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:8880/v1', AGENT_TTS_VOICE: 'af_bella' });
    expect(local.AGENT_TTS_VOICE).toBe('af_bella');
  });

  it('drains for one session length by default, and never for no time at all', () => {
    expect(agentConfig().AGENT_DRAIN_SECONDS).toBe(600);
    expect(agentConfig({ AGENT_DRAIN_SECONDS: '120' }).AGENT_DRAIN_SECONDS).toBe(120);
    expect(() => agentConfig({ AGENT_DRAIN_SECONDS: '0' })).toThrow(/AGENT_DRAIN_SECONDS/);
  });

  it('refuses the livekit-server --dev credentials in production, as the API does, and keeps them outside it', () => {
    const own = { LIVEKIT_API_KEY: 'APIprodKey123', LIVEKIT_API_SECRET: 'prod-livekit-secret-0123456789' };
    for (const [credentials, named] of [
      [{}, 'LIVEKIT_API_KEY'],
      [{ ...own, LIVEKIT_API_KEY: 'devkey' }, 'LIVEKIT_API_KEY'],
      [{ ...own, LIVEKIT_API_SECRET: 'secret' }, 'LIVEKIT_API_SECRET'],
    ] as const) {
      const result = agentConfigSchema.safeParse({ NODE_ENV: 'production', ...credentials });
      expect(
        result.error?.issues.map((issue) => issue.path),
        JSON.stringify(credentials),
      ).toEqual([[named]]);
      expect(result.error?.issues[0]?.message).toContain('refused in production');
    }
    expect(agentConfig({ NODE_ENV: 'production', ...own })).toMatchObject(own);
    expect(agentConfig({ NODE_ENV: 'test' }).LIVEKIT_API_KEY).toBe('devkey');
  });

  it('validates OPENAI_BASE_URL as the rest of the stack does: http(s) only, blank is unset', () => {
    expect(agentConfig({ OPENAI_BASE_URL: '  ' }).OPENAI_BASE_URL).toBeUndefined();
    expect(() => agentConfig({ OPENAI_BASE_URL: 'ftp://models.example/v1' })).toThrow(/OPENAI_BASE_URL/);
  });
});
