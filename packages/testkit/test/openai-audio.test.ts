import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, SPEECH_SAMPLE_RATE } from '../src/openai-audio.js';
import { startOpenAIServer } from '../src/openai-server.js';

const server = await startOpenAIServer();
afterAll(() => server.close());
beforeEach(() => server.reset());

/** `ms` of a 16 kHz tone as a WAV file. */
function toneWav(ms: number, sampleRate = 16_000): Buffer {
  const samples = new Int16Array(Math.round((ms / 1000) * sampleRate));
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(5000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return encodeWav(samples, sampleRate);
}

function transcribe(fields: { file?: Buffer | string; name?: string; model?: string; response_format?: string }) {
  const form = new FormData();
  if (fields.file !== undefined) {
    const blob = typeof fields.file === 'string' ? fields.file : new Blob([new Uint8Array(fields.file)]);
    if (typeof blob === 'string') form.set('file', blob);
    else form.set('file', blob, fields.name ?? 'audio.wav');
  }
  if (fields.model !== undefined) form.set('model', fields.model);
  if (fields.response_format) form.set('response_format', fields.response_format);
  return fetch(`${server.baseURL}/audio/transcriptions`, {
    method: 'POST',
    headers: { authorization: 'Bearer k' },
    body: form,
  });
}

const speech = (body: Record<string, unknown>) =>
  fetch(`${server.baseURL}/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'tts', voice: 'alloy', response_format: 'pcm', ...body }),
  });

describe('transcriptions', () => {
  it('answers the registered texts in order, then the handler with the decoded audio, after the configured latency', async () => {
    server.audio.configure({ transcriptionLatencyMs: 200 });
    server.audio.transcribe('I have chest pain', 'since this morning');
    const heard: number[] = [];
    server.audio.onTranscription((audio) => {
      heard.push(Math.round(audio.durationMs));
      return { text: `handler ${audio.sampleRate}` };
    });

    const started = performance.now();
    const texts = [];
    for (const ms of [300, 500, 700]) {
      const res = await transcribe({ file: toneWav(ms), model: 'whisper-1' });
      expect(res.status).toBe(200);
      texts.push((await res.json()).text);
    }

    expect(texts).toEqual(['I have chest pain', 'since this morning', 'handler 16000']);
    expect(heard).toEqual([700]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
    expect(server.audio.transcriptions.map((t) => [t.status, Math.round(t.audio.durationMs)])).toEqual([
      [200, 300],
      [200, 500],
      [200, 700],
    ]);
  });

  it('answers plain text when response_format is text', async () => {
    server.audio.transcribe('hello there');
    const res = await transcribe({ file: toneWav(200), model: 'whisper-1', response_format: 'text' });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('hello there');
  });

  it.each([
    ['no file', { model: 'whisper-1' }, /'file' field required/],
    ['no model', { file: toneWav(300) }, /model/],
    ['a file that is a text field', { file: 'not a file', model: 'whisper-1' }, /'file' field required/],
    [
      'a file named as no audio format',
      { file: toneWav(300), name: 'notes.txt', model: 'whisper-1' },
      /Invalid file format/,
    ],
    ['an empty file', { file: Buffer.alloc(0), model: 'whisper-1' }, /could not be decoded/],
    [
      'bytes that are not a WAV',
      { file: Buffer.from('definitely not audio'), model: 'whisper-1' },
      /could not be decoded/,
    ],
    ['audio shorter than 0.1 s', { file: toneWav(60), model: 'whisper-1' }, /too short/],
  ])('refuses %s with a 400 in OpenAI’s error shape, consuming no registered text', async (_, fields, message) => {
    server.audio.transcribe('kept for the next good upload');

    const res = await transcribe(fields);

    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(message) });
    const good = await transcribe({ file: toneWav(300), model: 'whisper-1' });
    expect((await good.json()).text).toBe('kept for the next good upload');
  });

  it('refuses a JSON body (not multipart)', async () => {
    const res = await fetch(`${server.baseURL}/audio/transcriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'whisper-1' }),
    });
    expect(res.status).toBe(400);
  });

  it('passes a scripted error through, and a 500 naming the missing script when nothing is registered', async () => {
    server.audio.transcribe({ error: { status: 429, retryAfterSeconds: 1 } });
    const limited = await transcribe({ file: toneWav(300), model: 'whisper-1' });
    expect(limited.status).toBe(429);
    const unscripted = await transcribe({ file: toneWav(300), model: 'whisper-1' });
    expect(unscripted.status).toBe(500);
    expect((await unscripted.json()).error.message).toMatch(/no transcription scripted/);
  });
});

describe('speech', () => {
  it('streams 24 kHz 16-bit PCM whose length is proportional to the text, after the configured time to first byte', async () => {
    server.audio.configure({ speechTtfbMs: 150, speechMsPerChar: 50 });

    const started = performance.now();
    const res = await speech({ input: 'Twenty characters!!!' });
    const headersAt = performance.now() - started;
    const bytes = Buffer.from(await res.arrayBuffer());

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/pcm');
    expect(headersAt).toBeGreaterThanOrEqual(145);
    // 20 characters x 50 ms = 1 s of audio = 24,000 samples of 2 bytes.
    expect(bytes.length).toBe(SPEECH_SAMPLE_RATE * 2);
    const samples = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    expect(Math.max(...samples.slice(0, 2400))).toBeGreaterThan(1000);
    const long = Buffer.from(await (await speech({ input: 'Twenty characters!!!'.repeat(3) })).arrayBuffer());
    expect(long.length).toBe(3 * bytes.length);
    expect(server.audio.speeches.map((s) => [s.input.length, s.durationMs, s.format])).toEqual([
      [20, 1000, 'pcm'],
      [60, 3000, 'pcm'],
    ]);
  });

  it('paces the stream at the configured multiple of real time, and speed shortens the audio', async () => {
    server.audio.configure({ speechMsPerChar: 50, speechRealtimeFactor: 4, speechChunkMs: 50 });

    const started = performance.now();
    const res = await speech({ input: 'x'.repeat(20), speed: 2 });
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let total = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      arrivals.push(performance.now() - started);
      total += chunk.value.length;
    }

    // 20 x 50 ms at speed 2 = 500 ms of audio, sent at 4x real time: about 125 ms from first to last byte.
    expect(total).toBe(SPEECH_SAMPLE_RATE);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(80);
  });

  it('wraps the same samples in a RIFF header for wav', async () => {
    server.audio.configure({ speechMsPerChar: 10 });
    const wav = decodeWav(
      Buffer.from(await (await speech({ input: 'x'.repeat(10), response_format: 'wav' })).arrayBuffer()),
    );
    expect(wav).toMatchObject({ sampleRate: 24_000, channels: 1, durationMs: 100 });
  });

  it.each([
    ['no input', { input: undefined }, /'input' is a required property/],
    ['an empty input', { input: '' }, /must not be empty/],
    ['an input over 4096 characters', { input: 'x'.repeat(4097) }, /at most 4096/],
    ['no voice', { input: 'hi', voice: undefined }, /'voice'/],
    ['an unknown format', { input: 'hi', response_format: 'ogg' }, /is not one of/],
    ['a format this double cannot encode', { input: 'hi', response_format: 'mp3' }, /pcm and wav only/],
    ['a speed out of range', { input: 'hi', speed: 9 }, /speed/],
  ])('refuses %s with a 400', async (_, body, message) => {
    const res = await speech(body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(message);
    expect(server.audio.speeches).toEqual([]);
  });
});
