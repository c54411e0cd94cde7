/**
 * What the voice pipeline is built from: the models, the one OpenAI-compatible
 * endpoint they all use, and the patient's voice: the case study's choice when
 * the endpoint offers it (on OpenAI itself, one of OpenAI's voices; another
 * OpenAI-compatible server names its own, which pass through as they are),
 * else the configured default. Pure, so it is tested without building any plugin.
 */
import type { TTSVoices } from '@livekit/agents-plugin-openai';
import type { AgentConfig } from './config.js';

/** The voices @livekit/agents-plugin-openai's TTS accepts; the compiler keeps this in step with the plugin's type. */
const PLUGIN_VOICES: Record<TTSVoices, true> = {
  alloy: true,
  ash: true,
  ballad: true,
  coral: true,
  echo: true,
  fable: true,
  nova: true,
  onyx: true,
  sage: true,
  shimmer: true,
};
export const TTS_VOICES = Object.keys(PLUGIN_VOICES) as [TTSVoices, ...TTSVoices[]];

export function isTtsVoice(name: string): name is TTSVoices {
  return Object.hasOwn(PLUGIN_VOICES, name);
}

interface Endpoint {
  apiKey: string;
  baseURL: string | undefined;
}

export interface PipelineOptions {
  stt: Endpoint & { model: string; useRealtime: false };
  llm: Endpoint & { model: string };
  tts: Endpoint & { model: string; voice: TTSVoices };
  /** The case study named a voice OpenAI does not offer; `voice` is the default instead. */
  unknownVoice?: string;
}

export function pipelineOptions(
  config: Pick<
    AgentConfig,
    'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'AGENT_STT_MODEL' | 'AGENT_LLM_MODEL' | 'AGENT_TTS_MODEL' | 'AGENT_TTS_VOICE'
  >,
  caseStudyVoice?: string,
): PipelineOptions {
  // The plugins require a key even when the endpoint ignores it.
  const endpoint = { apiKey: config.OPENAI_API_KEY ?? 'unset', baseURL: config.OPENAI_BASE_URL };
  const known = caseStudyVoice !== undefined && (config.OPENAI_BASE_URL !== undefined || isTtsVoice(caseStudyVoice));
  return {
    // Plain HTTP transcription (not the realtime socket), so any OpenAI-compatible server can serve it.
    stt: { ...endpoint, model: config.AGENT_STT_MODEL, useRealtime: false },
    llm: { ...endpoint, model: config.AGENT_LLM_MODEL },
    // The plugin types its voices as OpenAI's; another server's names are sent through unchanged.
    tts: {
      ...endpoint,
      model: config.AGENT_TTS_MODEL,
      voice: (known ? caseStudyVoice : config.AGENT_TTS_VOICE) as TTSVoices,
    },
    ...(caseStudyVoice !== undefined && !known ? { unknownVoice: caseStudyVoice } : {}),
  };
}

/** How the agent session joins the room, apart from the agent and the room themselves. */
export interface RoomSessionOptions {
  inputOptions: { participantIdentity: string; closeOnDisconnect: false; textEnabled: false };
  record: boolean;
}

export function roomSessionOptions(
  config: Pick<AgentConfig, 'AGENT_CLOUD_RECORDING'>,
  studentIdentity: string,
): RoomSessionOptions {
  return {
    inputOptions: {
      // The admitted student is the one the patient hears, whoever else joins.
      participantIdentity: studentIdentity,
      // The student may drop and come back to this room; the timer, not the framework, decides when the call ends.
      closeOnDisconnect: false,
      // No typing to the patient through the room: such text would interrupt it and be stored as a
      // spoken turn. The session's text channel (the API) is the way to type.
      textEnabled: false,
    },
    // LiveKit Cloud records a session when the project's setting says so, unless the session says no.
    record: config.AGENT_CLOUD_RECORDING,
  };
}
