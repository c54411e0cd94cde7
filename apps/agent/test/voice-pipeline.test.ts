import { OPENAI_TTS_VOICES } from '@sp/core';
import { describe, expect, it } from 'vitest';
import { agentConfig } from '../src/config.js';
import { pipelineOptions, roomSessionOptions, TTS_VOICES } from '../src/voice-pipeline.js';

const config = agentConfig({
  OPENAI_API_KEY: 'sk-test',
  OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1',
  AGENT_STT_MODEL: 'whisper-1',
  AGENT_LLM_MODEL: 'gpt-4.1-mini',
  AGENT_TTS_MODEL: 'tts-1',
  AGENT_TTS_VOICE: 'sage',
});

describe('the voice pipeline options', () => {
  it('sends every model to the one configured endpoint, transcribing over plain HTTP', () => {
    const options = pipelineOptions(config);
    const endpoint = { apiKey: 'sk-test', baseURL: 'http://127.0.0.1:8000/v1' };
    expect(options.stt).toEqual({ ...endpoint, model: 'whisper-1', useRealtime: false });
    expect(options.llm).toEqual({ ...endpoint, model: 'gpt-4.1-mini' });
    expect(options.tts).toEqual({ ...endpoint, model: 'tts-1', voice: 'sage' });
  });

  it("speaks in the case study's voice when the TTS knows it", () => {
    expect(pipelineOptions(config, 'onyx')).toMatchObject({ tts: { voice: 'onyx' } });
    expect(pipelineOptions(config, 'onyx').unknownVoice).toBeUndefined();
  });

  it('on OpenAI, falls back to the configured voice, and says so, when the case study names one OpenAI does not offer', () => {
    const onOpenAI = agentConfig({ OPENAI_API_KEY: 'sk-test', AGENT_TTS_VOICE: 'sage' });
    expect(pipelineOptions(onOpenAI, 'Morgan Freeman')).toMatchObject({
      tts: { voice: 'sage' },
      unknownVoice: 'Morgan Freeman',
    });
    expect(pipelineOptions(onOpenAI, 'toString')).toMatchObject({ tts: { voice: 'sage' }, unknownVoice: 'toString' });
  });

  it("passes another server's own voice names through unchanged", () => {
    const options = pipelineOptions(config, 'af_bella');
    expect(options.tts.voice).toBe('af_bella');
    expect(options.unknownVoice).toBeUndefined();
  });

  it('uses the default endpoint with a placeholder key when none is configured', () => {
    const options = pipelineOptions(agentConfig());
    expect(options.llm).toEqual({ apiKey: 'unset', baseURL: undefined, model: 'gpt-4o-mini' });
    expect(options.tts.voice).toBe('alloy');
  });
});

describe('how the agent session joins the room', () => {
  it('hears only the admitted student, keeps the call through their drops, and takes no typed text from the room', () => {
    const { inputOptions } = roomSessionOptions(agentConfig(), 'student-1:session-1');
    expect(inputOptions).toEqual({
      participantIdentity: 'student-1:session-1',
      closeOnDisconnect: false,
      textEnabled: false,
    });
  });

  it('starts with recording off unless AGENT_CLOUD_RECORDING turns it on', () => {
    expect(roomSessionOptions(agentConfig(), 'x').record).toBe(false);
    expect(roomSessionOptions(agentConfig({ AGENT_CLOUD_RECORDING: 'true' }), 'x').record).toBe(true);
    expect(() => agentConfig({ AGENT_CLOUD_RECORDING: 'yes' })).toThrow(/AGENT_CLOUD_RECORDING/);
  });
});

describe('the voices GET /v1/voices lists on OpenAI', () => {
  it("are exactly the plugin's voices", () => {
    expect([...TTS_VOICES].sort()).toEqual([...OPENAI_TTS_VOICES].sort());
  });
});
