/** /v1/sessions/{session_id}/messages: the text channel of a case session, the reply streamed as Server-Sent Events. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  deltaEventSchema,
  errorEventSchema,
  sessionDoneEventSchema,
  sessionMessageRequestSchema,
  sessionMetaEventSchema,
} from '@sp/core';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { authErrors, errors, eventStreamAnswer, json, rateLimitError, security } from '../http/openapi.js';
import { sessionIdParam } from '../http/params.js';
import { eventStream } from '../streaming/event-stream.js';
import { prepareTextTurn } from './text-turn.js';

const messageRoute = createRoute({
  method: 'post',
  path: '/{session_id}/messages',
  tags: ['sessions'],
  summary: 'Type to the patient; the reply streams as Server-Sent Events',
  description:
    'The text channel of your own session. Frames: `meta` ({session_id, sequence, engine}) once your turn is ' +
    'stored; `delta` chunks of the reply ({text}); `done` ({session_id, sequence, status, end_reason, ' +
    'elapsed_active_time, duration_limit}) once the reply is stored. When the turn uses up the active time the ' +
    'reply is the goodbye and `done` shows the session ended `timer_expired`. If the model fails, `error` comes ' +
    'before `done`. A reply is stored in full even if you disconnect mid-stream.',
  security,
  request: {
    params: sessionIdParam,
    body: { ...json(sessionMessageRequestSchema, "The student's message"), required: true },
  },
  responses: {
    200: eventStreamAnswer('text/event-stream of meta, delta, done', [
      sessionMetaEventSchema,
      deltaEventSchema,
      errorEventSchema,
      sessionDoneEventSchema,
    ]),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such session of yours',
      409: 'SESSION_CHANNEL_CONFLICT: you are live in the voice room; SESSION_BUSY: the previous reply is still coming',
      410: 'SESSION_<END_REASON>: the session has ended (a text turn past the reconnect window ends it)',
      422: 'VALIDATION_ERROR: body outside 1–8000 characters',
      ...rateLimitError,
    }),
  },
});

export function sessionMessageRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>().openapi(messageRoute, async (c) => {
    const { session_id } = c.req.valid('param');
    const turn = await prepareTextTurn(services, c.var.auth, session_id, c.req.valid('json').body, c.var.log);
    return eventStream(c, services.work, c.var.log, turn);
  });
}
