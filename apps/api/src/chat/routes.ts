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
import { authErrors, errors, eventStreamAnswer, json, rateLimitError, security } from '../http/openapi.js';
import { eventStream } from '../streaming/event-stream.js';
import { prepareChatTurn } from './chat-turn.js';

const chatRoute = createRoute({
  method: 'post',
  path: '/chat',
  tags: ['study assistant'],
  summary: 'Ask the study assistant; the answer streams as Server-Sent Events',
  description:
    'Frames, in order: `meta` once after routing ({conversation_id, action, confidence}); `delta` chunks ({text}); ' +
    '`done` ({conversation_id, action, revised, remaining}). A blocked turn sends `message` ({text, reason}: ' +
    'quota_exceeded, assessment_lock or prompt_injection) instead of deltas. If the model fails, `error` ' +
    '({code, message}) comes before `done`. Continue a conversation with `context.conversation_id`.',
  security,
  request: { body: { ...json(chatRequestSchema, 'The message and where the student is'), required: true } },
  responses: {
    200: eventStreamAnswer('text/event-stream of meta, delta (or message), done', [
      chatMetaEventSchema,
      deltaEventSchema,
      blockedEventSchema,
      errorEventSchema,
      chatDoneEventSchema,
    ]),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such conversation of yours',
      422: 'VALIDATION_ERROR: body outside 1–8000 characters, an unknown action, a bad context field',
      503: 'MODEL_NOT_CONFIGURED: the API has no model endpoint; SERVICE_UNAVAILABLE: the database is briefly unavailable',
      ...rateLimitError,
    }),
  },
});

export function chatRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>().openapi(chatRoute, async (c) => {
    const turn = await prepareChatTurn(services, c.var.auth, c.req.valid('json'), c.var.log);
    return eventStream(c, services.work, c.var.log, turn);
  });
}
