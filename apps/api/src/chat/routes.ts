/** /v1/mind/chat: the study assistant, one message in, the answer streamed as Server-Sent Events. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  blockedEventSchema,
  chatDoneEventSchema,
  chatMetaEventSchema,
  chatRequestSchema,
  deltaEventSchema,
  errorEventSchema,
} from '@sp/core';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import {
  authErrors,
  type EventFrames,
  errors,
  eventStreamAnswer,
  json,
  rateLimitError,
  security,
} from '../http/openapi.js';
import { eventStream, resumeEventStream } from '../streaming/event-stream.js';
import { resumeHeaders } from '../streaming/stream-replay.js';
import { prepareChatTurn } from './chat-turn.js';

/** An answer's frames, streamed and resumed alike. */
const chatEvents: EventFrames = [
  chatMetaEventSchema,
  deltaEventSchema,
  blockedEventSchema,
  errorEventSchema,
  chatDoneEventSchema,
];

const chatRoute = createRoute({
  method: 'post',
  path: '/chat',
  tags: ['study assistant'],
  summary: 'Ask the study assistant; the answer streams as Server-Sent Events',
  description:
    'Frames, in order: `meta` once after routing ({conversation_id, action, confidence}); `delta` chunks ({text}); ' +
    '`done` ({conversation_id, action, revised, remaining}). A blocked turn sends `message` ({text, reason}: ' +
    'quota_exceeded, assessment_lock or prompt_injection) instead of deltas. If the model fails, `error` ' +
    '({code, message}) comes before `done`. Continue a conversation with `context.conversation_id`. Every frame ' +
    'has an `id` (`<stream id>:<frame number>`): after a cut connection, `GET /v1/mind/chat` with `Last-Event-ID` ' +
    'resumes the answer. The answer is stored in full even if you disconnect, and reads back with ' +
    '`GET /v1/mind/conversations/{conversation_id}`.',
  security,
  request: { body: { ...json(chatRequestSchema, 'The message and where the student is'), required: true } },
  responses: {
    200: eventStreamAnswer('text/event-stream of meta, delta (or message), done', chatEvents),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such conversation of yours',
      422: 'VALIDATION_ERROR: body outside 1–8000 characters, an unknown action, a bad context field',
      503: 'MODEL_NOT_CONFIGURED: the API has no model endpoint; SERVICE_UNAVAILABLE: the database is briefly unavailable',
      ...rateLimitError,
    }),
  },
});

const resumeRoute = createRoute({
  method: 'get',
  path: '/chat',
  tags: ['study assistant'],
  summary: 'Resume a study-assistant answer after a cut connection, from the last frame you received',
  description:
    'The frames of your answer after `Last-Event-ID`, each once and in order, then the rest as they are sent, ' +
    'up to `done`, from any API process. Frames are kept for STREAM_REPLAY_RETENTION_SECONDS (an hour by ' +
    'default); after that, read the stored answer with `GET /v1/mind/conversations/{conversation_id}`. If the ' +
    'process writing the answer died, the stream ends with an `error` frame (`INTERNAL_ERROR`).',
  security,
  request: { headers: resumeHeaders },
  responses: {
    200: eventStreamAnswer('text/event-stream: the missed frames of the answer, then the rest', chatEvents),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such answer of yours from this endpoint (or it is past its retention)',
      422: 'VALIDATION_ERROR: Last-Event-ID missing, not an id this API sent, or past the end of the answer',
    }),
  },
});

export function chatRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>()
    .openapi(chatRoute, async (c) => {
      const turn = await prepareChatTurn(services, c.var.auth, c.req.valid('json'), c.var.log);
      return eventStream(c, services, { caller: c.var.auth, endpoint: 'chat' }, c.var.log, turn);
    })
    .openapi(resumeRoute, (c) =>
      resumeEventStream(
        c,
        services,
        { caller: c.var.auth, endpoint: 'chat' },
        c.req.valid('header')['last-event-id'],
        c.var.log,
      ),
    );
}
