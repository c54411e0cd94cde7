/**
 * One study-assistant turn. Everything that can refuse the turn happens
 * before the stream opens (404 for someone else's conversation) or before
 * anything is sent to the model (assessment lock, prompt injection, quota),
 * so a blocked turn never reaches the model. An answered turn streams the
 * model's deltas, then the output guardrail may correct it (`revised`), and
 * both messages are stored before `done`.
 */
import { randomUUID } from 'node:crypto';
import {
  type BlockReason,
  type ChatRequest,
  type ChatStreamEvent,
  DomainError,
  notFound,
  sessionInProgress,
} from '@sp/core';
import { type ConfiguredProvider, streamChat, toModelError } from '@sp/models';
import type { Logger } from 'pino';
import type { Caller } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { isUuid } from '../http/params.js';
import type { Emit, StreamedTurn } from '../streaming/event-stream.js';
import {
  type ChatTurnText,
  type NewChatMessage,
  openChatTurn,
  refundChatTurn,
  storeChatMessages,
} from './chat-store.js';
import { looksLikeInjection, reviewAnswer } from './guardrails.js';
import { laneInstructions } from './lanes.js';
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
  /** The client-chosen id the student knows the conversation by, if any. */
  clientId: string | null;
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
  const requested = context.conversation_id;
  // An id that is not a UUID is the client's own name for a conversation: found or started in the student's namespace.
  const clientId = requested !== undefined && !isUuid(requested) ? requested : null;
  const injection = looksLikeInjection(request.body);
  const limit = config.CHAT_DAILY_QUOTA;
  const opening = await openChatTurn(db, caller, {
    conversationId: clientId ? null : (requested ?? null),
    clientId,
    reserve: !injection && limit !== 0,
    limit,
    timeZone: config.CHAT_QUOTA_TIMEZONE,
  });
  const locked = opening.openSessions.some((s) =>
    sessionInProgress(s, now(), config.RECONNECT_WINDOW_SECONDS, config.PENDING_TIMEOUT_SECONDS),
  );
  const refusal: BlockReason | 'not_found' | null =
    requested && !clientId && !opening.conversationFound
      ? 'not_found'
      : locked
        ? 'assessment_lock'
        : injection
          ? 'prompt_injection'
          : null;
  if (refusal && opening.reserved) await refundChatTurn(db, caller, opening.reserved.day);
  if (refusal === 'not_found') throw notFound('Conversation');

  const turn: Turn = {
    caller,
    request,
    route: routeMessage(request.action, request.body, context.page),
    conversationId: opening.conversationUuid ?? (clientId === null && requested ? requested : randomUUID()),
    clientId,
    history: opening.history,
  };
  const left = (used: number) => (limit === null ? null : Math.max(0, limit - used));
  const turnLog = log.child({ conversation_id: turn.conversationId, action: turn.route.action });
  if (refusal) return blockedTurn(services, turn, refusal, left(opening.usedToday), turnLog);
  if (!opening.reserved) return blockedTurn(services, turn, 'quota_exceeded', 0, turnLog);
  return answeredTurn(
    services,
    models,
    turn,
    { ...opening.reserved, remaining: left(opening.reserved.turns) },
    turnLog,
  );
}

function meta(turn: Turn): ChatStreamEvent {
  return {
    event: 'meta',
    data: { conversation_id: publicId(turn), action: turn.route.action, confidence: turn.route.confidence },
  };
}

function done(turn: Turn, revised: string | null, remaining: number | null): ChatStreamEvent {
  return {
    event: 'done',
    data: { conversation_id: publicId(turn), action: turn.route.action, revised, remaining },
  };
}

/** The student's message as stored, with what it was about. */
function question(turn: Turn, blockedReason: BlockReason | null): NewChatMessage {
  const page = turn.request.context?.page;
  return {
    role: 'user',
    content: turn.request.body,
    action: turn.route.action,
    confidence: turn.route.confidence,
    blockedReason,
    page: page ? Object.fromEntries(Object.entries(page).filter(([, v]) => v !== undefined)) : null,
  };
}

const publicId = (turn: Turn) => turn.clientId ?? turn.conversationId;

const conversationOf = (turn: Turn) => ({
  id: turn.conversationId,
  channel: turn.request.context?.channel ?? null,
  clientId: turn.clientId,
});

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
    await storeChatMessages(services.db, turn.caller, conversationOf(turn), [
      question(turn, reason),
      { role: 'assistant', content: BLOCKED_TEXT[reason], action: turn.route.action, blockedReason: reason },
    ]);
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
    const answer = await streamAnswer(provider, turn, emit);
    let remaining = quota.remaining;
    if (answer.failure && !answer.text) {
      // Nothing was answered, so nothing is counted against the quota.
      await refundChatTurn(services.db, turn.caller, quota.day);
      if (remaining !== null) remaining += 1;
    }
    const revised = answer.failure ? null : reviewAnswer(turn.request.body, answer.text);
    // The question is stored with its answer, in one statement: a process that dies mid-answer loses that
    // one exchange from the chat history (nothing graded is ever kept this way).
    const reply: NewChatMessage[] = answer.text
      ? [
          {
            role: 'assistant',
            content: answer.text,
            action: turn.route.action,
            confidence: turn.route.confidence,
            revised,
          },
        ]
      : [];
    await storeChatMessages(services.db, turn.caller, conversationOf(turn), [question(turn, null), ...reply]);
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
