/**
 * The patient's TTS against the local OpenAI-wire server streaming its audio at
 * twice real time: ours plays the first frame as soon as audio arrives and keeps
 * every sample; LiveKit's OpenAI plugin (what the worker used before) waits for
 * the whole sentence and drops its last partial frame.
 */
import { type tts as ttsTypes, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { audioEndpoints, startOpenAIServer } from '@sp/testkit';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { StreamingOpenAITTS } from '../src/streaming-tts.js';
import './support/text-mode.js';

const server = await startOpenAIServer();
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  // 40 characters x 50 ms = 2 s of audio, sent in 100 ms chunks over about 1 s, after a 100 ms first byte.
  server.audio.configure({ speechMsPerChar: 50, speechRealtimeFactor: 2, speechChunkMs: 100, speechTtfbMs: 100 });
});

const LINE = 'It started this morning, after breakfast.'.slice(0, 40);
const options = { apiKey: 'k', baseURL: server.baseURL, model: 'tts-test', voice: 'alloy' as const };

async function listen(tts: ttsTypes.TTS, text: string) {
  const started = performance.now();
  let firstAt = Number.NaN;
  let samples = 0;
  let finals = 0;
  for await (const audio of tts.synthesize(text)) {
    if (Number.isNaN(firstAt)) firstAt = performance.now() - started;
    samples += audio.frame.samplesPerChannel;
    if (audio.final) finals++;
  }
  return { firstAt, doneAt: performance.now() - started, ms: (samples / 24_000) * 1000, finals };
}

describe('the patient TTS', () => {
  it('plays the first frame with the first chunk of audio and keeps every sample', async () => {
    const heard = await listen(new StreamingOpenAITTS(options), LINE);

    expect(heard.ms).toBe(2_000);
    expect(heard.finals).toBe(1);
    expect(heard.firstAt).toBeLessThan(400);
    expect(heard.doneAt).toBeGreaterThan(900);
    expect(server.audio.speeches).toMatchObject([{ input: LINE, voice: 'alloy', model: 'tts-test', format: 'pcm' }]);
  });

  it("is what LiveKit's plugin is not: it waits for the whole sentence and drops the tail", async () => {
    const heard = await listen(new openai.TTS(options), `${LINE}.`);

    // 41 characters: 2,050 ms of audio, of which the plugin keeps whole 100 ms frames only.
    expect(heard.ms).toBe(2_000);
    expect(heard.firstAt).toBeGreaterThan(900);
  });

  it('is the TTS of the session the worker builds', async () => {
    const { voiceSession } = await import('../src/main.js');
    const { agentConfig } = await import('../src/config.js');
    const { pipelineOptions } = await import('../src/voice-pipeline.js');
    const config = agentConfig({ OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'k' });
    const session = voiceSession(config, pipelineOptions(config), {
      turn: null as never,
      transcription: null as never,
    });
    try {
      expect(session.tts).toBeInstanceOf(StreamingOpenAITTS);
      expect(session).toBeInstanceOf(voice.AgentSession);
    } finally {
      await session.close();
    }
  });

  describe('when the speech request fails', () => {
    /** A speech endpoint of its own on the server (it stays replaced: these are the file's last tests); `failures` decides each request in turn. */
    function scripted(failures: ('500' | 'ok')[]) {
      const audio = audioEndpoints();
      audio.endpoints.configure({ speechMsPerChar: 50, speechChunkMs: 100, speechTtfbMs: 0 });
      server.route('POST', '/v1/audio/speech', async (recorded, response) => {
        const next = failures.shift() ?? 'ok';
        if (next === '500') {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: 'upstream hiccup', type: 'server_error' } }));
          return;
        }
        await audio.speech(recorded, response);
      });
      return () => server.requests.filter((r) => r.path === '/v1/audio/speech').length;
    }

    it('is asked again when it fails before any audio came, and the sentence plays whole', async () => {
      const requests = scripted(['500', 'ok']);
      const heard = await listen(new StreamingOpenAITTS(options), LINE);
      expect(heard.ms).toBe(2_000);
      expect(requests()).toBe(2);
    });
  });
});
