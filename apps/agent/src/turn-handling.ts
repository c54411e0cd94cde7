/**
 * How the patient knows the student has finished a turn: an explicit choice,
 * never the framework's default. Left unset, @livekit/agents 1.9 builds its
 * own turn detector: under `dev` the cloud model at LiveKit's inference
 * gateway (the student's audio sent to LiveKit, billed to LIVEKIT_API_KEY),
 * under `start` a local model whose load failure makes every turn wait the
 * full maximum delay.
 *
 * - `vad` (default): Silero VAD endpointing. The turn ends once the VAD has
 *   heard AGENT_VAD_MIN_SILENCE_MS of silence and AGENT_ENDPOINTING_MIN_DELAY_MS
 *   has passed since the last sound (max of the two; both measured in docs/voice.md).
 *   The transcription does not wait for that: a second VAD stream sends what the
 *   student said so far after AGENT_STT_VAD_MIN_SILENCE_MS of silence, and the
 *   reply (LLM and its first audio) is prepared from that transcript while the
 *   turn's end is still being decided (preemptive generation); it plays only once
 *   the turn has ended, and is thrown away if the student goes on speaking.
 *   Interruptions are VAD-based too, so no adaptive (cloud) interruption model runs either.
 * - `livekit_cloud` (opt-in): LiveKit's cloud turn detector (`turn-detector-v1`),
 *   which sends the student's audio to LiveKit Inference with the worker's
 *   LIVEKIT_API_KEY / LIVEKIT_API_SECRET.
 */
import { inference, type voice } from '@livekit/agents';
import type { AgentConfig } from './config.js';

/**
 * Fixed endpointing; the minimum delay is a setting (AGENT_ENDPOINTING_MIN_DELAY_MS), the maximum
 * the framework's own default, written down so a framework upgrade cannot move it silently.
 */
export const ENDPOINTING = { mode: 'fixed', maxDelay: 3000 } as const;

type TurnConfig = Pick<
  AgentConfig,
  | 'AGENT_TURN_DETECTION'
  | 'LIVEKIT_API_KEY'
  | 'LIVEKIT_API_SECRET'
  | 'AGENT_ENDPOINTING_MIN_DELAY_MS'
  | 'AGENT_INTERRUPTION_MIN_MS'
>;

export type TurnHandling = NonNullable<voice.AgentSessionOptions['turnHandling']>;

/**
 * The reply is generated from the transcript before the turn is committed; the framework keeps
 * it only if the committed transcript and context are the same. Its audio is synthesized once the
 * turn is committed (`preemptiveTts` off, the framework's default): the commit comes well before
 * the LLM's first token, so synthesizing earlier gains nothing, and in @livekit/agents 1.9 a reply
 * synthesized early is not cut off by a barge-in until the student stops talking (docs/voice.md).
 */
export const PREEMPTIVE_GENERATION = { enabled: true, preemptiveTts: false } as const;

export function turnHandling(config: TurnConfig): TurnHandling {
  const endpointing = { ...ENDPOINTING, minDelay: config.AGENT_ENDPOINTING_MIN_DELAY_MS };
  // How long the student talks over the patient before it stops (the framework's default is 500 ms).
  const minDuration = config.AGENT_INTERRUPTION_MIN_MS;
  if (config.AGENT_TURN_DETECTION === 'livekit_cloud') {
    return {
      turnDetection: new inference.TurnDetector({
        version: 'v1',
        apiKey: config.LIVEKIT_API_KEY,
        apiSecret: config.LIVEKIT_API_SECRET,
      }),
      endpointing,
      interruption: { minDuration },
      preemptiveGeneration: PREEMPTIVE_GENERATION,
    };
  }
  return {
    turnDetection: 'vad',
    endpointing,
    interruption: { mode: 'vad', minDuration },
    preemptiveGeneration: PREEMPTIVE_GENERATION,
  };
}

/**
 * Silero VAD's options, loaded once per worker process (its other options are the plugin's
 * defaults): `turn` decides where the student's speech ends for the turn and for interruptions,
 * `transcription` where a stretch of speech is cut off and sent to the speech-to-text.
 */
export function vadOptions(config: Pick<AgentConfig, 'AGENT_VAD_MIN_SILENCE_MS' | 'AGENT_STT_VAD_MIN_SILENCE_MS'>) {
  return {
    turn: { minSilenceDuration: config.AGENT_VAD_MIN_SILENCE_MS },
    transcription: { minSilenceDuration: config.AGENT_STT_VAD_MIN_SILENCE_MS },
  };
}
