/**
 * One study-assistant turn. Everything that can refuse the turn happens
 * before the stream opens (404 for someone else's conversation) or before
 * anything is sent to the model (assessment lock, prompt injection, quota),
 * so a blocked turn never reaches the model. An answered turn streams the
 * model's deltas, then the output guardrail may correct it (`revised`), and
 * both messages are stored before `done`.
 */
import { randomUUID } from 'node:crypto';
import { type BlockReason, type ChatRequest, type ChatStreamEvent, DomainError, notFound } from '@sp/core';
import { type ConfiguredProvider, streamChat, toModelError } from '@sp/models';
import type { Logger } from 'pino';
import type { Caller } from '../app-context.js';
import type { Services } from '../deps.js';
import type { Emit, StreamedTurn } from '../streaming/event-stream.js';
import {
  appendChatMessage,
  assessmentInProgress,
  type ChatTurnText,
  createConversation,
  ownConversation,
} from './chat-store.js';
import { looksLikeInjection, reviewAnswer } from './guardrails.js';
import { laneInstructions } from './lanes.js';
import { chatTurnsLeft, type QuotaPolicy, refundChatTurn, reserveChatTurn } from './quota.js';
import { type Route, routeMessage } from './router.js';

type ChatServices = Pick<Services, 'db' | 'models' | 'config' | 'now'>;

const BLOCKED_TEXT: Record<BlockReason, string> = {
  quota_exceeded: "You've reached today's limit for the study assistant. It resets tomorrow.",
  assessment_lock:
    "You're in the middle of a case session, so the study assistant is paused until you finish it. Good luck!",
  prompt_injection: "I can't act on that. Ask me about your studies and I'll gladly help.",
};

interface Turn {
  caller: Caller;
  request: ChatRequest;
  route: Route;
  conversationId: string;
  isNew: boolean;
  history: ChatTurnText[];
}

export async function prepareChatTurn(
  services: ChatServices,
  caller: Caller,
  request: ChatRequest,
  log: Logger,
): Promise<StreamedTurn<ChatStreamEvent>> {
  const { db, models, config, now } = services;
  if (!models.configured) {
    throw new DomainError('MODEL_NOT_CONFIGURED', 'The study assistant needs a model endpoint, and none is configured');
  }
  const context = request.context ?? {};
  const [conversation, locked] = await Promise.all([
    context.conversation_id ? ownConversation(db, caller, context.conversation_id) : null,
    assessmentInProgress(db, caller, now(), config.RECONNECT_WINDOW_SECONDS),
  ]);
  if (context.conversation_id && !conversation) throw notFound('Conversation');
  const turn: Turn = {
    caller,
    request,
    route: routeMessage(request.action, request.body, context.page),
    conversationId: conversation?.id ?? randomUUID(),
    isNew: !conversation,
    history: conversation?.history ?? [],
  };
  const policy: QuotaPolicy = { limit: config.CHAT_DAILY_QUOTA, timeZone: config.CHAT_QUOTA_TIMEZONE };
  const turnLog = log.child({ conversation_id: turn.conversationId, action: turn.route.action });

  const refusal: BlockReason | null = locked
    ? 'assessment_lock'
    : looksLikeInjection(request.body)
      ? 'prompt_injection'
      : null;
  if (refusal) return blockedTurn(services, turn, refusal, await chatTurnsLeft(db, caller, policy), turnLog);
  const reservation = await reserveChatTurn(db, caller, policy);
  if (!reservation.granted) return blockedTurn(services, turn, 'quota_exceeded', 0, turnLog);
  return answeredTurn(services, models, turn, { day: reservation.day, remaining: reservation.remaining }, turnLog);
}

function meta(turn: Turn): ChatStreamEvent {
  return {
    event: 'meta',
    data: { conversation_id: turn.conversationId, action: turn.route.action, confidence: turn.route.confidence },
  };
}

function done(turn: Turn, revised: string | null, remaining: number | null): ChatStreamEvent {
  return {
    event: 'done',
    data: { conversation_id: turn.conversationId, action: turn.route.action, revised, remaining },
  };
}

/** The student's message, stored (with its conversation, when new) while the answer is on its way. */
async function storeQuestion(services: ChatServices, turn: Turn, blockedReason: BlockReason | null) {
  const { db } = services;
  if (turn.isNew) {
    await createConversation(db, turn.caller, { id: turn.conversationId, channel: turn.request.context?.channel });
  }
  const page = turn.request.context?.page;
  await appendChatMessage(db, turn.conversationId, {
    role: 'user',
    content: turn.request.body,
    action: turn.route.action,
    confidence: turn.route.confidence,
    blockedReason,
    page: page ? Object.fromEntries(Object.entries(page).filter(([, v]) => v !== undefined)) : null,
  });
}

function blockedTurn(
  services: ChatServices,
  turn: Turn,
  reason: BlockReason,
  remaining: number | null,
  log: Logger,
): StreamedTurn<ChatStreamEvent> {
  return async (emit) => {
    emit(meta(turn));
    emit({ event: 'message', data: { text: BLOCKED_TEXT[reason], reason } });
    await storeQuestion(services, turn, reason);
    await appendChatMessage(services.db, turn.conversationId, {
      role: 'assistant',
      content: BLOCKED_TEXT[reason],
      action: turn.route.action,
      blockedReason: reason,
    });
    log.info({ blocked: reason }, 'chat turn blocked');
    emit(done(turn, null, remaining));
  };
}

function answeredTurn(
  services: ChatServices,
  provider: ConfiguredProvider,
  turn: Turn,
  quota: { day: string; remaining: number | null },
  log: Logger,
): StreamedTurn<ChatStreamEvent> {
  return async (emit) => {
    const started = performance.now();
    emit(meta(turn));
    const question = storeQuestion(services, turn, null);
    const answer = await streamAnswer(provider, turn, emit);
    await question;
    let remaining = quota.remaining;
    if (answer.failure && !answer.text) {
      // Nothing was answered, so nothing is counted against the quota.
      await refundChatTurn(services.db, turn.caller, quota.day);
      if (remaining !== null) remaining += 1;
    }
    const revised = answer.failure ? null : reviewAnswer(turn.request.body, answer.text);
    if (answer.text) {
      await appendChatMessage(services.db, turn.conversationId, {
        role: 'assistant',
        content: answer.text,
        action: turn.route.action,
        confidence: turn.route.confidence,
        revised,
      });
    }
    if (answer.failure) {
      log.warn({ err: answer.failure, partial_chars: answer.text.length }, 'chat model failed');
      emit({
        event: 'error',
        data: {
          code: 'MODEL_UNAVAILABLE',
          message: 'The study assistant could not answer just now; please try again.',
        },
      });
    }
    log.info(
      {
        confidence: turn.route.confidence,
        first_delta_ms: answer.firstDeltaMs,
        total_ms: Math.round(performance.now() - started),
        chars: answer.text.length,
        revised: revised !== null,
      },
      'chat turn answered',
    );
    emit(done(turn, revised, remaining));
  };
}

/** Streams the model's answer as deltas; a failure part-way keeps what was already said. */
async function streamAnswer(provider: ConfiguredProvider, turn: Turn, emit: Emit<ChatStreamEvent>) {
  const started = performance.now();
  let text = '';
  let firstDeltaMs: number | null = null;
  let failure: Error | null = null;
  try {
    const messages = [
      { role: 'system' as const, content: laneInstructions(turn.route.action, turn.request.context?.page) },
      ...turn.history,
      { role: 'user' as const, content: turn.request.body },
    ];
    for await (const delta of streamChat(provider, { messages, model: provider.models.chat })) {
      firstDeltaMs ??= Math.round(performance.now() - started);
      text += delta;
      emit({ event: 'delta', data: { text: delta } });
    }
  } catch (error) {
    failure = toModelError(error);
  }
  return { text, failure, firstDeltaMs };
}
