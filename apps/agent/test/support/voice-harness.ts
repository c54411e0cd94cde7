/**
 * The voice pipeline on real audio without a room: the real AgentSession with
 * our patient agent, the real Silero VAD, and LiveKit's OpenAI plugins (STT,
 * LLM, TTS) pointed by base URL at the local OpenAI-wire server. The scripted
 * student speaks through a ScriptedMicrophone; the patient is heard through a
 * RecordingSpeaker. Used by the audio tests and by `pnpm bench:voice`.
 *
 * The double answers each transcription with the text of the student's earliest
 * clip not transcribed yet (once per clip: a clip the VAD cut in two gives its
 * text to the first part), and each chat completion with the reply registered for the student's
 * last words, after the configured provider latencies.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { llm, type VAD, VADEventType, voice } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { type AudioOptions, type ChatCompletionRequest, type OpenAIServer, startOpenAIServer } from '@sp/testkit';
import type { PatientAgent } from '../../src/agent.js';
import { agentConfig } from '../../src/config.js';
import { voiceSession } from '../../src/main.js';
import { vadOptions } from '../../src/turn-handling.js';
import { pipelineOptions } from '../../src/voice-pipeline.js';
import { type Played, RecordingSpeaker, ScriptedMicrophone } from './audio-io.js';
import './text-mode.js'; // initializes the framework's logger

/** What the fake providers take, fixed: the bench's defaults are STT 250, LLM 350, TTS 200. */
export interface ProviderLatency {
  /** Upload received → transcript sent. */
  sttMs: number;
  /** Chat request received → first token sent. */
  llmTtftMs: number;
  /** Speech request received → first audio byte sent. */
  ttsTtfbMs: number;
}

export const NO_LATENCY: ProviderLatency = { sttMs: 0, llmTtftMs: 0, ttsTtfbMs: 0 };

export interface VoiceRigOptions {
  latency?: Partial<ProviderLatency>;
  /** How the double's speech sounds (ms per character, pace). */
  speech?: Omit<AudioOptions, 'transcriptionLatencyMs' | 'speechTtfbMs'>;
  /** Student words → the patient's answer. */
  replies?: Record<string, string>;
  /** The worker's settings over its defaults (AGENT_VAD_MIN_SILENCE_MS, AGENT_INTERRUPTION_MIN_MS, ...). */
  config?: Record<string, string>;
  /** Silero's options over the worker's (tests that need another threshold). */
  vad?: Partial<VadOptions>;
  /** Preemptive generation over the worker's (the bench measures its effect). */
  preemptive?: { enabled?: boolean; preemptiveTts?: boolean };
}

/**
 * In production RoomIO chains the room's audio output behind the framework's
 * TranscriptionSynchronizer, which paces the reply's text with the audio played
 * and so decides what an interrupted reply stored as heard. The package exports
 * neither it nor TextOutput, so they are loaded from its files (the same module
 * instances the framework uses), and the rig chains them exactly as RoomIO does.
 */
const agentsDist = dirname(createRequire(import.meta.url).resolve('@livekit/agents'));
const fromAgents = (file: string) => import(pathToFileURL(join(agentsDist, file)).href);
const { TranscriptionSynchronizer, defaultTextSyncOptions } = await fromAgents('voice/transcription/synchronizer.js');
const { TextOutput } = (await fromAgents('voice/io.js')) as { TextOutput: new () => object };

/** The patient's words as the student's app would show them, in the chunks the framework sends. */
class TranscriptSink extends (TextOutput as new () => { onAttached(): void; onDetached(): void }) {
  readonly chunks: string[] = [];
  async captureText(text: string | { text: string }): Promise<void> {
    this.chunks.push(typeof text === 'string' ? text : text.text);
  }
  flush(): void {}
}

type VadOptions = NonNullable<Parameters<typeof silero.VAD.load>[0]>;

const vads = new Map<string, Promise<VAD>>();

/** Silero VAD, loaded once per process per option set (the ONNX model ships inside the plugin package, offline). */
export function loadVad(options: Partial<VadOptions> = {}): Promise<VAD> {
  const key = JSON.stringify(options);
  let vad = vads.get(key);
  if (!vad) {
    vad = silero.VAD.load(options);
    vads.set(key, vad);
  }
  return vad;
}

export class VoiceRig {
  readonly mic = new ScriptedMicrophone();
  readonly speaker = new RecordingSpeaker();
  readonly replies = new Map<string, string>();
  session: voice.AgentSession | undefined;
  /** When the transcription's VAD cut off a stretch of speech (it is sent to the transcriber then). */
  readonly cuts: number[] = [];
  /** The student's turns as the framework committed them (its end-of-turn decision), with when. */
  readonly commits: { at: number; text: string; endOfTurnDelayMs?: number }[] = [];
  /** Clips whose text went to a transcription already. */
  private readonly transcribed = new Set<Played>();
  private readonly latency: ProviderLatency;

  /**
   * `server` is the double in this process, scripted by the rig; a double
   * elsewhere (the bench runs it in a child process) is given by its base URL
   * and scripted by its owner.
   */
  constructor(
    readonly server: OpenAIServer | { baseURL: string },
    private readonly options: VoiceRigOptions = {},
  ) {
    this.latency = { ...NO_LATENCY, ...options.latency };
    for (const [words, answer] of Object.entries(options.replies ?? {})) this.replies.set(words, answer);
    if (!('audio' in server)) return;
    server.audio.configure({
      ...options.speech,
      transcriptionLatencyMs: this.latency.sttMs,
      speechTtfbMs: this.latency.ttsTtfbMs,
    });
    server.audio.onTranscription(() => ({ text: this.transcriptNow() }));
    server.onChat((request) => ({ content: this.answer(request), delayMs: this.latency.llmTtftMs }));
  }

  /** Builds the agent session around `agent` on this rig's microphone and speaker, and starts it. */
  startSession = async (agent: PatientAgent): Promise<voice.AgentSession> => {
    // The session the worker builds (main.ts), with its settings, pointed at the double.
    const config = agentConfig({
      ...this.options.config,
      OPENAI_BASE_URL: this.server.baseURL,
      OPENAI_API_KEY: 'test',
    });
    const vad = vadOptions(config);
    const [turn, transcription] = await Promise.all([
      loadVad({ ...vad.turn, ...this.options.vad }),
      loadVad({ ...vad.transcription, ...this.options.vad }),
    ]);
    const session = voiceSession(config, pipelineOptions(config), { turn, transcription: this.tapped(transcription) });
    Object.assign(session.sessionOptions.turnHandling.preemptiveGeneration, this.options.preemptive);
    session.input.audio = this.mic;
    const sync = new TranscriptionSynchronizer(this.speaker, new TranscriptSink(), defaultTextSyncOptions);
    session.output.audio = sync.audioOutput;
    session.output.transcription = sync.textOutput;
    session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (!(item instanceof llm.ChatMessage) || item.role !== 'user') return;
      const eou = item.metrics.endOfTurnDelay;
      this.commits.push({
        at: performance.now(),
        text: item.textContent ?? '',
        ...(eou === undefined ? {} : { endOfTurnDelayMs: eou * 1000 }),
      });
    });
    await session.start({ agent });
    this.mic.start();
    this.session = session;
    return session;
  };

  /**
   * `vad` as the transcription's adapter sees it, noting when each stretch of speech is cut off
   * (`cuts`): the bench tells the VAD's wait for silence from the upload that follows it.
   */
  private tapped(vad: VAD): VAD {
    const cuts = this.cuts;
    return Object.create(vad, {
      stream: {
        value: () => {
          const stream = vad.stream();
          const next = stream.next.bind(stream);
          stream.next = async () => {
            const result = await next();
            if (result.value?.type === VADEventType.END_OF_SPEECH) cuts.push(performance.now());
            return result;
          };
          return stream;
        },
      },
    });
  }

  /** How long the double's audio for `text` lasts (the framework sends a reply to the TTS a sentence at a time). */
  playableMs(text: string): number {
    if (!('audio' in this.server)) throw new Error('playableMs needs the double in this process');
    const parts = this.server.audio.speeches.filter((s) => text.includes(s.input));
    if (parts.length === 0) throw new Error(`no speech was requested for ${JSON.stringify(text)}`);
    return parts.reduce((sum, s) => sum + s.durationMs, 0);
  }

  async close(): Promise<void> {
    await this.session?.close().catch(() => {});
    await this.mic.close().catch(() => {});
  }

  /**
   * The earliest clip with words that started before now and was not transcribed yet: the
   * transcriber hears the student in order, and a piece cut off at a short pause is sent before
   * the next clip's words (which may have started already) are.
   */
  transcriptNow(): string {
    const now = performance.now();
    const clip = this.mic.played.find((p) => p.clip.text && p.soundStartAt <= now && !this.transcribed.has(p));
    if (!clip) return '';
    this.transcribed.add(clip);
    return clip.clip.text;
  }

  answer(request: ChatCompletionRequest): string {
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    const words = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
    return this.replies.get(words.trim()) ?? 'Sorry, could you say that again?';
  }
}

/** A local OpenAI-wire server for a test file (close it in afterAll). */
export function startVoiceDouble(): Promise<OpenAIServer> {
  return startOpenAIServer();
}
