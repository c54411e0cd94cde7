import { describe, expect, it } from 'vitest';
import { agentConfig } from '../src/config.js';

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
});
