/**
 * The worker checks once that the TTS behind OPENAI_BASE_URL answers the
 * 24 kHz the OpenAI plugin plays its PCM at: against the OpenAI-wire double
 * (24 kHz, as OpenAI), and against a server of another rate, as a Piper- or
 * Kokoro-style server may be.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOpenAIServer, wavHeader } from '@sp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { agentConfig } from '../src/config.js';
import { checkTtsSampleRate, reportTtsSampleRate, wavSampleRate } from '../src/tts-check.js';
import { capturingLogger } from './support/text-mode.js';

const openai = await startOpenAIServer();
const servers: Server[] = [];
afterAll(async () => {
  await openai.close();
  for (const server of servers) server.close();
});

/** A TTS server that answers every speech request with a WAV of `sampleRate`, or with `status`. */
async function ttsServer(answer: { sampleRate: number } | { status: number }): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    if ('status' in answer) {
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      return response.end('{"error":{"message":"no"}}');
    }
    response.writeHead(200, { 'content-type': 'audio/wav' });
    response.end(Buffer.concat([wavHeader(answer.sampleRate, 1, 4_000), Buffer.alloc(4_000)]));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const configFor = (baseUrl?: string) =>
  agentConfig({ OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: 'sk-test', AGENT_TTS_VOICE: 'af_bella' });

describe('the TTS sample-rate check', () => {
  it('passes a server that answers 24 kHz, asking it for a WAV with the configured model and voice', async () => {
    expect(await checkTtsSampleRate(configFor(openai.baseURL))).toEqual({ kind: 'ok' });
    expect(openai.audio.speeches).toEqual([
      expect.objectContaining({ model: 'gpt-4o-mini-tts', voice: 'af_bella', format: 'wav' }),
    ]);
  });

  it('says in one error line when the server answers another rate', async () => {
    const { logger, lines } = capturingLogger();

    const check = await reportTtsSampleRate(configFor(await ttsServer({ sampleRate: 22_050 })), logger);

    expect(check).toEqual({ kind: 'mismatch', sampleRate: 22_050 });
    expect(lines).toEqual([expect.objectContaining({ level: 50, sample_rate: 22_050, expected: 24_000 })]);
    expect(String(lines[0]?.msg)).toMatch(/22050 Hz.*wrong pitch/);
  });

  it('warns, and goes on, when the server cannot be asked', async () => {
    const { logger, lines } = capturingLogger();

    const check = await reportTtsSampleRate(configFor(await ttsServer({ status: 404 })), logger);

    expect(check).toEqual({ kind: 'unknown', reason: 'HTTP 404' });
    expect(lines).toEqual([expect.objectContaining({ level: 40, reason: 'HTTP 404' })]);
  });

  it('asks nothing of OpenAI itself, whose rate is the plugin’s', async () => {
    const asked = openai.requests.length;
    expect(await checkTtsSampleRate(agentConfig({ OPENAI_API_KEY: 'sk-test' }))).toEqual({ kind: 'skipped' });
    expect(openai.requests.length).toBe(asked);
  });

  it('reads the rate only from a WAV header', () => {
    expect(wavSampleRate(wavHeader(16_000, 1, 0))).toBe(16_000);
    expect(wavSampleRate(Buffer.from('{"error":"not audio"}'))).toBeNull();
  });
});
