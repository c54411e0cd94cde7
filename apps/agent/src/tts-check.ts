/**
 * The patient's voice is asked for as `pcm` and played as 24 kHz 16-bit mono
 * (StreamingOpenAITTS, streaming-tts.ts, which owns the rate and the endpoint).
 * Raw PCM does not say its rate, so a server behind OPENAI_BASE_URL that
 * answers another rate plays at the wrong pitch and speed with no error
 * anywhere. At start the worker asks that server once for a short WAV, whose
 * header does say its rate, and logs an error when it is not 24 kHz.
 */
import type { Logger } from 'pino';
import type { AgentConfig } from './config.js';
import { SPEECH_SAMPLE_RATE, speechEndpoint } from './streaming-tts.js';

export type TtsRateCheck =
  | { kind: 'ok' }
  /** OpenAI itself (no OPENAI_BASE_URL): its speech is 24 kHz. */
  | { kind: 'skipped' }
  | { kind: 'mismatch'; sampleRate: number }
  /** The server could not be asked, or its answer was not a WAV file. */
  | { kind: 'unknown'; reason: string };

type TtsConfig = Pick<AgentConfig, 'OPENAI_BASE_URL' | 'OPENAI_API_KEY' | 'AGENT_TTS_MODEL' | 'AGENT_TTS_VOICE'>;

/** The sample rate in a WAV header, or null when `bytes` do not start one. */
export function wavSampleRate(bytes: Buffer): number | null {
  if (bytes.length < 28 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    return null;
  }
  // The first chunk of a plain WAV is `fmt `, its sample rate 24 bytes in.
  if (bytes.toString('ascii', 12, 16) !== 'fmt ') return null;
  return bytes.readUInt32LE(24);
}

export async function checkTtsSampleRate(config: TtsConfig, timeoutMs = 10_000): Promise<TtsRateCheck> {
  if (!config.OPENAI_BASE_URL) return { kind: 'skipped' };
  try {
    const response = await fetch(speechEndpoint(config.OPENAI_BASE_URL), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${config.OPENAI_API_KEY ?? 'unset'}`,
      },
      body: JSON.stringify({
        model: config.AGENT_TTS_MODEL,
        voice: config.AGENT_TTS_VOICE,
        input: 'Hello.',
        response_format: 'wav',
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok || !response.body) return { kind: 'unknown', reason: `HTTP ${response.status}` };
    const header = await firstBytes(response.body, 44);
    const sampleRate = wavSampleRate(header);
    if (sampleRate === null) return { kind: 'unknown', reason: 'the answer is not a WAV file' };
    return sampleRate === SPEECH_SAMPLE_RATE ? { kind: 'ok' } : { kind: 'mismatch', sampleRate };
  } catch (error) {
    return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs the check and says what it found in one log line (an error for a mismatch). */
export async function reportTtsSampleRate(config: TtsConfig, logger: Logger): Promise<TtsRateCheck> {
  const check = await checkTtsSampleRate(config);
  const where = { base_url: config.OPENAI_BASE_URL, model: config.AGENT_TTS_MODEL };
  if (check.kind === 'mismatch') {
    logger.error(
      { ...where, sample_rate: check.sampleRate, expected: SPEECH_SAMPLE_RATE },
      `the TTS at OPENAI_BASE_URL answers ${check.sampleRate} Hz audio, but the patient's voice is played as ${SPEECH_SAMPLE_RATE} Hz: it will sound at the wrong pitch and speed`,
    );
  } else if (check.kind === 'unknown') {
    logger.warn({ ...where, reason: check.reason }, 'could not check the sample rate of the TTS at OPENAI_BASE_URL');
  }
  return check;
}

/** Reads the first `count` bytes of a stream (fewer if it ends first), then lets the rest go. */
async function firstBytes(body: ReadableStream<Uint8Array>, count: number): Promise<Buffer> {
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    while (length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      length += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks);
}
