/**
 * The patient's voice from OpenAI's speech endpoint, played as it arrives.
 *
 * LiveKit's OpenAI TTS plugin (1.9) reads the whole speech response before it
 * hands the framework a single frame, so the first sound of each sentence waits
 * for all of that sentence's audio to download (bench:voice: 383 ms p50 at 4x
 * real time, docs/voice.md), and it drops the last partial 100 ms frame of
 * every sentence. This TTS asks for the same thing (`response_format: pcm`,
 * 24 kHz 16-bit mono) and turns each chunk into 20 ms frames the moment it
 * comes in, flushing the tail. Like the plugin it is not a streaming TTS: the
 * framework sends it one sentence at a time.
 */
import {
  APIConnectionError,
  type APIConnectOptions,
  APIStatusError,
  AudioByteStream,
  shortuuid,
  tts,
} from '@livekit/agents';

export const SPEECH_SAMPLE_RATE = 24_000;
/** 20 ms: small enough that the first frame goes out with the first chunk of audio. */
const FRAME_SAMPLES = SPEECH_SAMPLE_RATE / 50;

/** OpenAI's speech endpoint under `baseURL` (an OpenAI-compatible base with `/v1`; OpenAI's own when unset). */
export function speechEndpoint(baseURL: string | undefined): string {
  return `${(baseURL ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/audio/speech`;
}

export interface StreamingTTSOptions {
  apiKey: string;
  /** OpenAI-compatible base URL (with `/v1`); OpenAI's own when unset. */
  baseURL?: string;
  model: string;
  voice: string;
  speed?: number;
  instructions?: string;
}

export class StreamingOpenAITTS extends tts.TTS {
  label = 'sp.StreamingOpenAITTS';
  readonly #options: StreamingTTSOptions;

  constructor(options: StreamingTTSOptions) {
    super(SPEECH_SAMPLE_RATE, 1, { streaming: false });
    this.#options = options;
  }

  override get model(): string {
    return this.#options.model;
  }

  override get provider(): string {
    return new URL(this.endpoint).host;
  }

  get endpoint(): string {
    return speechEndpoint(this.#options.baseURL);
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new SpeechDownload(this, text, this.#options, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('StreamingOpenAITTS synthesizes one sentence at a time; the framework adapts it');
  }
}

class SpeechDownload extends tts.ChunkedStream {
  label = 'sp.SpeechDownload';

  constructor(
    private readonly owner: StreamingOpenAITTS,
    text: string,
    private readonly options: StreamingTTSOptions,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, owner, connOptions, abortSignal);
  }

  protected async run(): Promise<void> {
    const { model, voice, speed, instructions, apiKey } = this.options;
    let response: Response;
    try {
      response = await fetch(this.owner.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          voice,
          input: this.inputText,
          response_format: 'pcm',
          ...(speed === undefined ? {} : { speed }),
          ...(instructions ? { instructions } : {}),
        }),
        signal: this.abortSignal,
      });
    } catch (error) {
      if (this.abortSignal.aborted) return;
      throw new APIConnectionError({ message: `speech request failed: ${String(error)}` });
    }
    if (!response.ok || !response.body) {
      const body = await response.text().catch(() => '');
      throw new APIStatusError({
        message: `speech request answered ${response.status}: ${body.slice(0, 300)}`,
        // As the OpenAI client does: a rate limit or a server error is worth another try, a refusal is not.
        options: { statusCode: response.status, retryable: response.status === 429 || response.status >= 500 },
      });
    }
    const requestId = shortuuid();
    const frames = new AudioByteStream(SPEECH_SAMPLE_RATE, 1, FRAME_SAMPLES);
    // One frame is held back so that the last one can be marked final.
    let held: ReturnType<AudioByteStream['flush']>[number] | undefined;
    let sent = false;
    const send = (frame: typeof held) => {
      if (held) {
        this.queue.put({ requestId, segmentId: requestId, frame: held, final: false });
        sent = true;
      }
      held = frame;
    };
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const frame of frames.write(chunk)) send(frame);
      }
      for (const frame of frames.flush()) send(frame);
    } catch (error) {
      if (this.abortSignal.aborted) return;
      // Once audio has gone out, a retry would play the sentence's start twice: fail instead.
      throw new APIConnectionError({
        message: `speech download broke off: ${String(error)}`,
        options: { retryable: !sent },
      });
    }
    if (held) this.queue.put({ requestId, segmentId: requestId, frame: held, final: true });
  }
}
