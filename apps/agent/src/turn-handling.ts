/**
 * How the patient knows the student has finished a turn: an explicit choice,
 * never the framework's default. Left unset, @livekit/agents 1.9 builds its
 * own turn detector: under `dev` the cloud model at LiveKit's inference
 * gateway (the student's audio sent to LiveKit, billed to LIVEKIT_API_KEY),
 * under `start` a local model whose load failure makes every turn wait the
 * full maximum delay.
 *
 * - `vad` (default): Silero VAD endpointing. The turn ends once the VAD has
 *   heard ENDPOINTING.minDelay of silence (in practice max(VAD silence, minDelay)),
 *   then the whole utterance is transcribed. Interruptions are VAD-based too,
 *   so no adaptive (cloud) interruption model runs either.
 * - `livekit_cloud` (opt-in): LiveKit's cloud turn detector (`turn-detector-v1`),
 *   which sends the student's audio to LiveKit Inference with the worker's
 *   LIVEKIT_API_KEY / LIVEKIT_API_SECRET.
 */
import { inference, type voice } from '@livekit/agents';
import type { AgentConfig } from './config.js';

/** The framework's own defaults, written down so a framework upgrade cannot move them silently. */
export const ENDPOINTING = { mode: 'fixed', minDelay: 500, maxDelay: 3000 } as const;

export type TurnHandling = NonNullable<voice.AgentSessionOptions['turnHandling']>;

export function turnHandling(
  config: Pick<AgentConfig, 'AGENT_TURN_DETECTION' | 'LIVEKIT_API_KEY' | 'LIVEKIT_API_SECRET'>,
): TurnHandling {
  if (config.AGENT_TURN_DETECTION === 'livekit_cloud') {
    return {
      turnDetection: new inference.TurnDetector({
        version: 'v1',
        apiKey: config.LIVEKIT_API_KEY,
        apiSecret: config.LIVEKIT_API_SECRET,
      }),
      endpointing: { ...ENDPOINTING },
    };
  }
  return {
    turnDetection: 'vad',
    endpointing: { ...ENDPOINTING },
    interruption: { mode: 'vad' },
  };
}
