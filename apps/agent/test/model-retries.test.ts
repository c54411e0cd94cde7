/**
 * A provider's passing failure does not cost the student a turn: the worker's speech-to-text and
 * LLM are retried against the OpenAI double failing the first request, the LLM only while nothing
 * of its answer has come (a retry after text was spoken would say it twice).
 */
import { llm } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { startOpenAIServer } from '@sp/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { agentConfig } from '../src/config.js';
import { speechToText, voiceSession } from '../src/main.js';
import { pipelineOptions } from '../src/voice-pipeline.js';
import { spoken } from './support/speech.js';
import './support/text-mode.js'; // initializes the framework's logger

const server = await startOpenAIServer();
afterEach(() => server.reset());
afterAll(() => server.close());

const config = agentConfig({ OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'test' });
const options = pipelineOptions(config);

/** The worker's LLM as its session calls it (the session's connection options). */
async function reply(): Promise<{ text: string; errors: { recoverable?: boolean }[] }> {
  const session = voiceSession(config, options, { turn: null as never, transcription: null as never });
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'user', content: 'How are you?' });
  let text = '';
  // A started session listens to its LLM's errors (a recoverable one is reported before each retry).
  const model = session.llm;
  if (!(model instanceof llm.LLM)) throw new Error('the session has no LLM');
  const errors: { recoverable?: boolean }[] = [];
  model.on('error', (error) => errors.push(error));
  try {
    const stream = model.chat({ chatCtx, connOptions: session.connOptions.llmConnOptions });
    for await (const chunk of stream) text += chunk.delta?.content ?? '';
  } catch (error) {
    errors.push({ recoverable: false, ...(error as object) });
  } finally {
    await session.close();
  }
  return { text, errors };
}

const chats = () => server.requests.filter((r) => r.path === '/v1/chat/completions').length;
const transcriptions = () => server.requests.filter((r) => r.path === '/v1/audio/transcriptions').length;

describe('the LLM, streamed', () => {
  it('is asked again when it fails before its first chunk, and the answer comes whole', async () => {
    server.reply({ error: { status: 500, message: 'upstream hiccup' } }, { content: 'I feel fine, thank you.' });
    const { text, errors } = await reply();
    expect(text).toBe('I feel fine, thank you.');
    expect(errors.map((e) => e.recoverable)).toEqual([true]);
    expect(chats()).toBe(2);
  });

  it('is not asked again once part of the answer has come', async () => {
    server.reply({ content: 'I feel fine, thank you.', failAfterChunks: 1 }, { content: 'never asked for' });
    const { text, errors } = await reply();
    expect(errors.map((e) => e.recoverable)).toEqual([false]);
    expect(text.length).toBeGreaterThan(0);
    expect('I feel fine, thank you.'.startsWith(text)).toBe(true);
    expect(chats()).toBe(1);
  });
});

describe('the speech-to-text', () => {
  const clip = spoken('How are you');
  const frame = new AudioFrame(clip.samples, 24_000, 1, clip.samples.length);

  it('is asked again when the transcription fails with a server error, and the words come through', async () => {
    server.audio.transcribe({ error: { status: 500, message: 'upstream hiccup' } }, 'How are you');
    const event = await speechToText(options.stt).recognize(frame);
    expect(event.alternatives?.[0]?.text).toBe('How are you');
    expect(transcriptions()).toBe(2);
  });

  it('honours retry-after on a rate limit', async () => {
    server.audio.transcribe({ error: { status: 429, message: 'slow down', retryAfterSeconds: 1 } }, 'How are you');
    const started = performance.now();
    const event = await speechToText(options.stt).recognize(frame);
    expect(event.alternatives?.[0]?.text).toBe('How are you');
    expect(performance.now() - started).toBeGreaterThan(950);
    expect(transcriptions()).toBe(2);
  });

  it('is not asked again when the request itself is refused', async () => {
    server.audio.transcribe({ error: { status: 400, message: 'bad audio' } }, 'How are you');
    await expect(speechToText(options.stt).recognize(frame)).rejects.toThrow();
    expect(transcriptions()).toBe(1);
  });
});
