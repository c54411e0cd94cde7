/** The worker's settings, read once at start; a bad value stops the process with one line naming it. */
import { SESSION_DEFAULTS, warningBeforeEndSetting } from '@sp/core';
import {
  alwaysCheck,
  liveKitConfigSchema,
  loggingConfigSchema,
  modelEndpointConfigSchema,
  nodeEnvConfigSchema,
  refuseDevLiveKitCredentials,
} from '@sp/runtime';
import { z } from 'zod';
import { isTtsVoice, TTS_VOICES } from './voice-pipeline.js';

export const agentConfigSchema = z
  .object({
    ...nodeEnvConfigSchema.shape,
    ...loggingConfigSchema.shape,
    /** AGENT_NAME: explicit dispatch, the worker gets jobs only from rooms the API creates with this agent named. */
    ...liveKitConfigSchema.shape,
    /** Any OpenAI-compatible server; used by STT, LLM and TTS alike. */
    ...modelEndpointConfigSchema.shape,
    AGENT_STT_MODEL: z
      .string()
      .min(1)
      .default('gpt-4o-mini-transcribe')
      .describe("the worker's speech-to-text model (plain HTTP transcription)"),
    AGENT_LLM_MODEL: z.string().min(1).default('gpt-4o-mini').describe('the model that plays the patient by voice'),
    AGENT_TTS_MODEL: z.string().min(1).default('gpt-4o-mini-tts').describe("the worker's text-to-speech model"),
    /** Used when the case study's persona names no voice (or, on OpenAI itself, one OpenAI does not offer). */
    AGENT_TTS_VOICE: z
      .string()
      .min(1)
      .max(60)
      .default('alloy')
      .describe(
        "the voice used when the case study names none (on OpenAI itself, one of its voices; with `OPENAI_BASE_URL`, that server's own names)",
      ),
    AGENT_TURN_DETECTION: z
      .enum(['vad', 'livekit_cloud'])
      .default('vad')
      .describe(
        "how the patient knows the student finished speaking: `vad` (Silero VAD endpointing, on the worker) or `livekit_cloud` (opt-in: LiveKit's cloud turn detector, which sends the student's audio to LiveKit Inference under LIVEKIT_API_KEY)",
      ),
    AGENT_PAUSE_ON_LOST_CONNECTION: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe(
        "`true` stops the active clock while LiveKit reports the student's connection quality as lost (their client is trying to resume a dropped connection) and restarts it when it returns; `false` (default) counts only leaving the room",
      ),
    AGENT_CLOUD_RECORDING: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe(
        "`true` lets LiveKit Cloud record a call (audio, transcript, traces) when the project's setting asks for it; `false` starts every agent session with recording off",
      ),
    /** Measured with `pnpm bench:voice` (docs/voice.md): each 100 ms here is about 100 ms of voice-to-voice. */
    AGENT_VAD_MIN_SILENCE_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(3000)
      .default(400)
      .describe(
        "how much silence Silero VAD needs before the student's speech counts as ended, in ms (lower answers sooner but may cut a student who pauses mid-sentence; the framework's default is 550)",
      ),
    /** Measured with `pnpm bench:voice` (docs/voice.md): the transcription, the reply and its first audio start this soon. */
    AGENT_STT_VAD_MIN_SILENCE_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(3000)
      .default(100)
      .describe(
        "how much silence starts the transcription of what the student said so far, in ms (a second VAD; the patient's reply is prepared from it but plays only once the turn has ended by AGENT_VAD_MIN_SILENCE_MS; lower answers sooner but transcribes a pausing student in more pieces)",
      ),
    AGENT_ENDPOINTING_MIN_DELAY_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3000)
      .default(400)
      .describe(
        "the least time from the student's last sound to the end of their turn, in ms; with VAD endpointing the turn ends after max(this, AGENT_VAD_MIN_SILENCE_MS) (the framework's default is 500)",
      ),
    AGENT_INTERRUPTION_MIN_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3000)
      .default(120)
      .describe(
        'how long the student must speak over the patient before it stops talking, in ms (lower stops it sooner, but a short "mm-hm" also stops it; the framework\'s default is 500)',
      ),
    /** How often the running active time is persisted (at most 5 s of active time may be lost). */
    AGENT_HEARTBEAT_SECONDS: z.coerce
      .number()
      .positive()
      .max(5)
      .default(SESSION_DEFAULTS.heartbeatSeconds)
      .describe('how often the worker persists the running active time, in seconds (at most 5)'),
    /** When the patient mentions it has to leave soon; 0 turns the warning off (the API reads it too, for text). */
    AGENT_WARNING_BEFORE_END_SECONDS: warningBeforeEndSetting,
    /**
     * On SIGTERM under `start`: how long running calls may go on before they are shut down (the
     * framework's default is an hour). The default is one full session of active time.
     */
    AGENT_DRAIN_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(SESSION_DEFAULTS.durationLimitSeconds)
      .describe(
        'on SIGTERM under `start`, how long running calls may go on before they are shut down, in seconds (closing their clock and flushing their turns)',
      ),
  })
  .superRefine((config, ctx) => {
    // The worker holds the same LiveKit credentials as the API, and refuses the dev ones in production alike.
    refuseDevLiveKitCredentials(config, ctx);
    // OpenAI's voices are known; another OpenAI-compatible server names its own.
    if (!config.OPENAI_BASE_URL && !isTtsVoice(config.AGENT_TTS_VOICE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AGENT_TTS_VOICE'],
        message: `must be one of OpenAI's voices (${TTS_VOICES.join(', ')}); other names need OPENAI_BASE_URL`,
      });
    }
  }, alwaysCheck);
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Parses a config from explicit values (tests, bench) with the same rules as the environment. */
export function agentConfig(values: Record<string, string | undefined> = {}): AgentConfig {
  return agentConfigSchema.parse(values);
}

/** The HTTP address of LiveKit's server API for a ws(s):// or http(s):// LIVEKIT_URL. */
export function livekitHttpUrl(config: Pick<AgentConfig, 'LIVEKIT_URL'>): string {
  return config.LIVEKIT_URL.replace(/^ws/, 'http');
}

/**
 * LOG_LEVEL as the framework's CLI reads it (it reads the variable itself): it knows no
 * `silent`, and refuses to start with it, so `silent` is `fatal` there.
 */
export function frameworkLogLevel(level: AgentConfig['LOG_LEVEL']): Exclude<AgentConfig['LOG_LEVEL'], 'silent'> {
  return level === 'silent' ? 'fatal' : level;
}
