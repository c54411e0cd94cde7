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
import {
  authErrors,
  type EventFrames,
  errors,
  eventStreamAnswer,
  json,
  rateLimitError,
  security,
} from '../http/openapi.js';
import { sessionIdParam } from '../http/params.js';
import { eventStream, resumeEventStream } from '../streaming/event-stream.js';
import { resumeHeaders } from '../streaming/stream-replay.js';
import { prepareTextTurn } from './text-turn.js';

/** A reply's frames, streamed and resumed alike. */
const replyEvents: EventFrames = [sessionMetaEventSchema, deltaEventSchema, errorEventSchema, sessionDoneEventSchema];

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
    'before `done`. A reply is stored in full even if you disconnect mid-stream, and reads back with ' +
    '`GET /v1/sessions/{session_id}` (its transcript). Every frame has an `id` (`<stream id>:<frame number>`): ' +
    'after a cut connection, `GET /v1/sessions/{session_id}/messages` with `Last-Event-ID` resumes the reply.',
  security,
  request: {
    params: sessionIdParam,
    body: { ...json(sessionMessageRequestSchema, "The student's message"), required: true },
  },
  responses: {
    200: eventStreamAnswer('text/event-stream of meta, delta, done', replyEvents),
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

const resumeRoute = createRoute({
  method: 'get',
  path: '/{session_id}/messages',
  tags: ['sessions'],
  summary: "Resume the patient's streamed reply after a cut connection, from the last frame you received",
  description:
    'The frames of your reply after `Last-Event-ID`, each once and in order, then the rest as they are sent, ' +
    'up to `done`, from any API process. Frames are kept for STREAM_REPLAY_RETENTION_SECONDS (an hour by ' +
    'default); after that, the stored reply is in the transcript of `GET /v1/sessions/{session_id}`. If the ' +
    'process writing the reply died, the stream ends with an `error` frame (`INTERNAL_ERROR`).',
  security,
  request: { params: sessionIdParam, headers: resumeHeaders },
  responses: {
    200: eventStreamAnswer('text/event-stream: the missed frames of the reply, then the rest', replyEvents),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such reply of yours in this session (or it is past its retention)',
      422: 'VALIDATION_ERROR: Last-Event-ID missing, not an id this API sent, or past the end of the reply',
    }),
  },
});

export function sessionMessageRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>()
    .openapi(messageRoute, async (c) => {
      const { session_id } = c.req.valid('param');
      const turn = await prepareTextTurn(services, c.var.auth, session_id, c.req.valid('json').body, c.var.log);
      const owner = { caller: c.var.auth, endpoint: 'session_messages', sessionId: session_id } as const;
      return eventStream(c, services, owner, c.var.log, turn);
    })
    .openapi(resumeRoute, (c) => {
      const owner = {
        caller: c.var.auth,
        endpoint: 'session_messages',
        sessionId: c.req.valid('param').session_id,
      } as const;
      return resumeEventStream(c, services, owner, c.req.valid('header')['last-event-id'], c.var.log);
    });
}
