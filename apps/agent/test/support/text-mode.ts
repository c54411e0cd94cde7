/**
 * Text-mode agent sessions for tests and the bench: the real AgentSession with
 * no room and no audio, a FakeLLM standing in for the model.
 */
import { initializeLogger, llm, voice } from '@livekit/agents';
import { type Logger, pino } from 'pino';
import type { PatientAgent } from '../../src/agent.js';

// @livekit/agents logs through its own logger, which must exist before an AgentSession is built.
initializeLogger({ pretty: false, level: 'error' });

export const silentLogger = pino({ level: 'silent' });

/** A logger whose JSON lines are kept, to check what the worker logged. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

export type FakeLLMResponse = voice.testing.FakeLLMResponse;

/**
 * FakeLLM answers the student's last words, and `generateReply({ instructions })`
 * only when the instructions start with "instructions:". This one also answers
 * the worker's own instructions as they are: a response whose `input` is
 * `instructions:<text>` is given when a reply is asked for with `<text>`.
 */
export class FakePatientLLM extends voice.testing.FakeLLM {
  override chat(args: Parameters<voice.testing.FakeLLM['chat']>[0]) {
    return super.chat({ ...args, chatCtx: this.keyedOnInstructions(args.chatCtx) });
  }

  /** The reply's instructions arrive as the system message's last line; FakeLLM finds them there by the prefix. */
  private keyedOnInstructions(chatCtx: llm.ChatContext): llm.ChatContext {
    const system = chatCtx.items.find((item) => item.type === 'message' && item.role === 'system');
    const text = system?.type === 'message' ? (system.textContent ?? '') : '';
    const tail = text.split('\n').at(-1) ?? '';
    if (!system || !this.lookup(`instructions:${tail}`)) return chatCtx;
    const keyed = chatCtx.copy();
    keyed.items = keyed.items.map((item) =>
      item.id === system.id
        ? llm.ChatMessage.create({ role: 'system', content: `${text}\ninstructions:${tail}` })
        : item,
    );
    return keyed;
  }
}

export function fakeLLM(responses: FakeLLMResponse[]): voice.testing.FakeLLM {
  return new FakePatientLLM(responses);
}

/** Starts the patient in a text-mode session driven by `llm`. */
export async function startTextSession(agent: PatientAgent, llm: voice.testing.FakeLLM): Promise<voice.AgentSession> {
  const session = new voice.AgentSession({ llm });
  await session.start({ agent });
  return session;
}
