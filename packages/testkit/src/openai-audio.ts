/**
 * The audio half of the local OpenAI-wire server: `/v1/audio/transcriptions`
 * and `/v1/audio/speech`, as the real client (and LiveKit's OpenAI plugin)
 * calls them.
 *
 * Transcriptions take a multipart upload with a WAV `file` and a `model`, and
 * answer with the text the test registered for that utterance (a queue, then a
 * handler that sees the decoded audio), after a configured latency. What the
 * real service refuses is refused here with its status and error shape: no
 * file, no model, a file that is not audio, audio shorter than 0.1 s.
 *
 * Speech takes `{ model, input, voice, response_format }` and streams 16-bit
 * little-endian mono PCM at 24 kHz (OpenAI's `pcm` format; `wav` is the same
 * samples behind a RIFF header) after a configured time to first byte. The
 * audio is a quiet tone whose length is proportional to the text, so a test
 * knows how long a line takes to speak; formats this double cannot encode
 * (mp3, opus, aac, flac) are refused with a 400 that says so.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiErrorReply, RecordedRequest } from './openai-server.js';
import { sendApiError, sendJson } from './openai-server.js';

/** OpenAI's `pcm` speech format: 24 kHz, 16-bit signed little-endian, mono. */
export const SPEECH_SAMPLE_RATE = 24_000;

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved 16-bit samples. */
  samples: Int16Array;
  durationMs: number;
}

export interface AudioOptions {
  /** Added before every transcription answer. */
  transcriptionLatencyMs?: number;
  /** Time from the speech request to the first byte of audio. */
  speechTtfbMs?: number;
  /** How long each character of the input takes to speak (before `speed`). */
  speechMsPerChar?: number;
  /**
   * How fast the audio flows after the first byte, as a multiple of real time
   * (0: all of it at once). OpenAI's service streams faster than real time.
   */
  speechRealtimeFactor?: number;
  /** Audio per written chunk. */
  speechChunkMs?: number;
}

export type TranscriptionReply = { delayMs?: number } & ({ text: string } | { error: ApiErrorReply });

export type TranscriptionHandler = (
  audio: WavAudio,
  request: { model: string; language?: string; recorded: RecordedRequest },
) => TranscriptionReply | Promise<TranscriptionReply>;

export interface TranscriptionRecord {
  model: string;
  audio: WavAudio;
  /** What was answered: the text, or the error status. */
  text?: string;
  status: number;
  at: number;
}

export interface SpeechRecord {
  model: string;
  voice: string;
  input: string;
  format: string;
  /** Bytes of audio sent (excluding a WAV header). */
  bytes: number;
  /** Audio length in ms. */
  durationMs: number;
  at: number;
}

export interface AudioEndpoints {
  /** Queues texts, answered in order, one per transcription request. */
  transcribe(...replies: (string | TranscriptionReply)[]): AudioEndpoints;
  /** Answers transcriptions once the queue is empty. */
  onTranscription(handler: TranscriptionHandler): AudioEndpoints;
  configure(options: AudioOptions): AudioEndpoints;
  readonly options: Required<AudioOptions>;
  /** Transcription requests answered (or refused), in order. */
  readonly transcriptions: TranscriptionRecord[];
  /** Speech requests answered, in order. */
  readonly speeches: SpeechRecord[];
  /** How long the double's audio for `input` lasts, in ms. */
  speechDurationMs(input: string, speed?: number): number;
  reset(): void;
}

export const DEFAULT_AUDIO_OPTIONS: Required<AudioOptions> = {
  transcriptionLatencyMs: 0,
  speechTtfbMs: 0,
  // About 14 characters a second: an unhurried speaking voice.
  speechMsPerChar: 70,
  speechRealtimeFactor: 0,
  speechChunkMs: 100,
};

/** Reads a PCM WAV file (RIFF, format 1 or WAVE_FORMAT_EXTENSIBLE with PCM, 16-bit). Null when it is not one. */
export function decodeWav(buffer: Buffer): WavAudio | null {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    return null;
  }
  let format: { sampleRate: number; channels: number; bits: number; tag: number } | null = null;
  for (let at = 12; at + 8 <= buffer.length; ) {
    const id = buffer.toString('ascii', at, at + 4);
    const size = buffer.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= buffer.length) {
      format = {
        tag: buffer.readUInt16LE(body),
        channels: buffer.readUInt16LE(body + 2),
        sampleRate: buffer.readUInt32LE(body + 4),
        bits: buffer.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format || (format.tag !== 1 && format.tag !== 0xfffe) || format.bits !== 16 || format.channels < 1) {
        return null;
      }
      // A streamed WAV may carry a placeholder size; the data runs to the end of the file then.
      const end = Math.min(buffer.length, body + size);
      const bytes = buffer.subarray(body, end - ((end - body) % 2));
      const samples = new Int16Array(bytes.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      const frames = samples.length / format.channels;
      return {
        sampleRate: format.sampleRate,
        channels: format.channels,
        samples,
        durationMs: (frames / format.sampleRate) * 1000,
      };
    }
    at = body + size + (size % 2);
  }
  return null;
}

/** A 44-byte RIFF header for 16-bit PCM; `dataBytes` 0xffffffff marks a stream of unknown length. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(dataBytes >= 0xffffffff - 36 ? 0xffffffff : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(dataBytes, 0xffffffff), 40);
  return header;
}

/** 16-bit mono samples as a WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return Buffer.concat([wavHeader(sampleRate, 1, data.length), data]);
}

/** A quiet 220 Hz tone, as 16-bit mono PCM bytes, from sample `offset` on (so chunks join without clicks). */
function tone(samples: number, offset: number): Buffer {
  const bytes = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const value = Math.round(3000 * Math.sin((2 * Math.PI * 220 * (offset + i)) / SPEECH_SAMPLE_RATE));
    bytes.writeInt16LE(value, i * 2);
  }
  return bytes;
}

const AUDIO_EXTENSIONS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'];
const MAX_SPEECH_INPUT = 4096;

const invalid = (message: string, code?: string): ApiErrorReply => ({
  status: 400,
  message,
  type: 'invalid_request_error',
  code,
});

export function audioEndpoints(): {
  endpoints: AudioEndpoints;
  transcriptions: (recorded: RecordedRequest, response: ServerResponse) => Promise<void>;
  speech: (recorded: RecordedRequest, response: ServerResponse) => Promise<void>;
} {
  const queue: TranscriptionReply[] = [];
  let handler: TranscriptionHandler | null = null;
  const options: Required<AudioOptions> = { ...DEFAULT_AUDIO_OPTIONS };
  const transcriptions: TranscriptionRecord[] = [];
  const speeches: SpeechRecord[] = [];

  const speechDurationMs = (input: string, speed = 1) => (input.length * options.speechMsPerChar) / speed;

  const endpoints: AudioEndpoints = {
    transcribe(...replies) {
      queue.push(...replies.map((r) => (typeof r === 'string' ? { text: r } : r)));
      return endpoints;
    },
    onTranscription(next) {
      handler = next;
      return endpoints;
    },
    configure(next) {
      Object.assign(options, next);
      return endpoints;
    },
    options,
    transcriptions,
    speeches,
    speechDurationMs,
    reset() {
      queue.length = 0;
      handler = null;
      transcriptions.length = 0;
      speeches.length = 0;
      Object.assign(options, DEFAULT_AUDIO_OPTIONS);
    },
  };

  const transcriptionsRoute = async (recorded: RecordedRequest, response: ServerResponse) => {
    const refuse = (error: ApiErrorReply, model = '', audio?: WavAudio) => {
      transcriptions.push({
        model,
        audio: audio ?? { sampleRate: 0, channels: 0, samples: new Int16Array(), durationMs: 0 },
        status: error.status,
        at: recorded.at,
      });
      sendApiError(response, error);
    };
    const contentType = recorded.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      return refuse(invalid('Request must be multipart/form-data with a file and a model.'));
    }
    let form: FormData;
    try {
      form = await new Request('http://local/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(recorded.raw),
      }).formData();
    } catch {
      return refuse(invalid('Could not parse multipart form'));
    }
    const model = form.get('model');
    const file = form.get('file');
    if (typeof model !== 'string' || model === '') return refuse(invalid('you must provide a model parameter'));
    if (!(file instanceof Blob) || typeof file === 'string') {
      return refuse(invalid("1 validation error: 'file' field required"), model);
    }
    const name = (file as File).name ?? '';
    const extension = name.split('.').at(-1)?.toLowerCase() ?? '';
    if (!AUDIO_EXTENSIONS.includes(extension)) {
      return refuse(
        invalid(`Invalid file format. Supported formats: ${JSON.stringify(AUDIO_EXTENSIONS)}`, 'invalid_file_format'),
        model,
      );
    }
    const audio = decodeWav(Buffer.from(await file.arrayBuffer()));
    if (!audio) {
      return refuse(
        invalid(
          'The audio file could not be decoded or its format is not supported (this double reads 16-bit PCM WAV).',
        ),
        model,
      );
    }
    if (audio.durationMs < 100) {
      return refuse(
        invalid('Audio file is too short. Minimum audio length is 0.1 seconds.', 'audio_too_short'),
        model,
        audio,
      );
    }
    const format = (form.get('response_format') as string | null) ?? 'json';
    if (!['json', 'text', 'verbose_json'].includes(format)) {
      return refuse(invalid(`openai-server: response_format '${format}' is not produced by this double`), model);
    }
    const language = (form.get('language') as string | null) ?? undefined;
    const reply = queue.shift() ?? (await handler?.(audio, { model, language, recorded }));
    if (!reply) {
      return refuse(
        { status: 500, message: 'openai-server: no transcription scripted for this request' },
        model,
        audio,
      );
    }
    const delay = options.transcriptionLatencyMs + (reply.delayMs ?? 0);
    if (delay > 0) await sleep(delay);
    if ('error' in reply) return refuse(reply.error, model, audio);
    transcriptions.push({ model, audio, text: reply.text, status: 200, at: recorded.at });
    if (format === 'text') {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(reply.text);
      return;
    }
    const usage = { type: 'duration', seconds: Math.ceil(audio.durationMs / 1000) };
    if (format === 'verbose_json') {
      return sendJson(response, 200, {
        task: 'transcribe',
        language: language ?? 'english',
        duration: audio.durationMs / 1000,
        text: reply.text,
        segments: [],
        usage,
      });
    }
    sendJson(response, 200, { text: reply.text, usage });
  };

  const speechRoute = async (recorded: RecordedRequest, response: ServerResponse) => {
    const body = recorded.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return sendApiError(response, invalid('We could not parse the JSON body.'));
    const { model, input, voice } = body;
    const format = body.response_format ?? 'mp3';
    const speed = body.speed ?? 1;
    if (typeof model !== 'string' || !model) return sendApiError(response, invalid("'model' is a required property"));
    if (typeof input !== 'string') return sendApiError(response, invalid("'input' is a required property"));
    if (input.length === 0) return sendApiError(response, invalid("'input' must not be empty"));
    if (input.length > MAX_SPEECH_INPUT) {
      return sendApiError(
        response,
        invalid(`'${input.slice(0, 20)}...' is too long - 'input' must have at most ${MAX_SPEECH_INPUT} characters`),
      );
    }
    if (typeof voice !== 'string' || !voice) return sendApiError(response, invalid("'voice' is a required property"));
    if (typeof format !== 'string' || !SPEECH_FORMATS.includes(format)) {
      return sendApiError(response, invalid(`'${String(format)}' is not one of ${JSON.stringify(SPEECH_FORMATS)}`));
    }
    if (format !== 'pcm' && format !== 'wav') {
      return sendApiError(response, invalid(`openai-server: this double produces pcm and wav only, not ${format}`));
    }
    if (typeof speed !== 'number' || speed < 0.25 || speed > 4) {
      return sendApiError(response, invalid('speed must be between 0.25 and 4.0'));
    }
    const durationMs = speechDurationMs(input, speed);
    const totalSamples = Math.round((durationMs / 1000) * SPEECH_SAMPLE_RATE);
    const record: SpeechRecord = { model, voice, input, format, bytes: 0, durationMs, at: recorded.at };
    speeches.push(record);

    if (options.speechTtfbMs > 0) await sleep(options.speechTtfbMs);
    response.writeHead(200, {
      'content-type': format === 'pcm' ? 'audio/pcm' : 'audio/wav',
      'transfer-encoding': 'chunked',
    });
    if (format === 'wav') response.write(wavHeader(SPEECH_SAMPLE_RATE, 1, 0xffffffff));
    const chunkSamples = Math.max(1, Math.round((options.speechChunkMs / 1000) * SPEECH_SAMPLE_RATE));
    const started = performance.now();
    for (let sent = 0; sent < totalSamples; sent += chunkSamples) {
      if (response.destroyed) return;
      if (options.speechRealtimeFactor > 0) {
        // Chunk n goes out when real time divided by the factor says it is due.
        const due = started + (sent / SPEECH_SAMPLE_RATE) * (1000 / options.speechRealtimeFactor);
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
      }
      const chunk = tone(Math.min(chunkSamples, totalSamples - sent), sent);
      record.bytes += chunk.length;
      response.write(chunk);
    }
    response.end();
  };

  return { endpoints, transcriptions: transcriptionsRoute, speech: speechRoute };
}
