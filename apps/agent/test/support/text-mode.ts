/**
 * Text-mode agent sessions for tests and the bench: the real AgentSession with
 * no room and no audio, a FakeLLM standing in for the model.
 */
import { initializeLogger, voice } from '@livekit/agents';
import { pino } from 'pino';
import type { PatientAgent } from '../../src/agent.js';

// @livekit/agents logs through its own logger, which must exist before an AgentSession is built.
initializeLogger({ pretty: false, level: 'error' });

export const silentLogger = pino({ level: 'silent' });

export type FakeLLMResponse = voice.testing.FakeLLMResponse;

export function fakeLLM(responses: FakeLLMResponse[]): voice.testing.FakeLLM {
  return new voice.testing.FakeLLM(responses);
}

/** Starts the patient in a text-mode session driven by `llm`. */
export async function startTextSession(agent: PatientAgent, llm: voice.testing.FakeLLM): Promise<voice.AgentSession> {
  const session = new voice.AgentSession({ llm });
  await session.start({ agent });
  return session;
}
