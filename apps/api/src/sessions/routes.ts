/** /v1/sessions: initialize (new or resume), end, list and read, as the session contract has them. */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  initializeRequestSchema,
  initializeResponseSchema,
  listSessionsQuerySchema,
  notFound,
  sessionListResponseSchema,
  sessionSchema,
  sessionWithMessagesSchema,
  successEnvelope,
} from '@sp/core';
import type { Session } from '@sp/db';
import { decodeJwt } from 'jose';
import { sessionLimits } from '../config.js';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { paged, success } from '../http/envelope.js';
import { PARTICIPANT_NAME } from '../http/livekit.js';
import { authErrors, errors, json, rateLimitError, security } from '../http/openapi.js';
import { sessionIdParam } from '../http/params.js';
import { settleOne, settlePending } from '../http/session-endings.js';
import { endByStudent } from './ending.js';
import { resumeSession } from './resume-session.js';
import { listOwnSessions, transcriptOf, visibleSession } from './session-store.js';
import { startSession } from './start-session.js';
import { sessionSummary, sessionView, sessionWithMessages, transcriptMessage } from './views.js';

const initializeRoute = createRoute({
  method: 'post',
  path: '/initialize',
  tags: ['sessions'],
  summary: 'Start a new session, or resume one with session_id',
  security,
  request: { body: { ...json(initializeRequestSchema, 'The case study, and the session to resume'), required: true } },
  responses: {
    200: json(successEnvelope(initializeResponseSchema), 'LiveKit connection details for the session'),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such session or case study for this caller',
      409: 'SESSION_ACTIVE: a live session exists for this case (details.session_id)',
      410: 'SESSION_ENDED, SESSION_<END_REASON>, or a failed resume check (the session is ended and graded)',
      422:
        'VALIDATION_ERROR: a bad field (metadata or context over 16,000 characters names it), ' +
        'or no attempts left (details.attempt_count, details.max_attempts)',
      502: 'LIVEKIT_UNAVAILABLE: no session was created and no reconnect was used',
      ...rateLimitError,
    }),
  },
});

const endRoute = createRoute({
  method: 'post',
  path: '/{session_id}/end',
  tags: ['sessions'],
  summary: 'End your active session and send it for grading',
  security,
  request: { params: sessionIdParam },
  responses: {
    200: json(successEnvelope(sessionSchema), 'The ended session'),
    ...errors({ ...authErrors, 404: 'NOT_FOUND', 410: 'SESSION_<END_REASON>: it had already ended' }),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['sessions'],
  summary: "The caller's sessions, newest first",
  security,
  request: { query: listSessionsQuerySchema },
  responses: {
    200: json(sessionListResponseSchema, 'A page of sessions'),
    ...errors({ ...authErrors, 422: 'VALIDATION_ERROR: skip < 0, limit outside 1–100, or an empty content_id' }),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/{session_id}',
  tags: ['sessions'],
  summary: 'A session with its transcript in sequence order, and figures computed from it',
  security,
  request: { params: sessionIdParam },
  responses: {
    200: json(successEnvelope(sessionWithMessagesSchema), 'The session and its messages'),
    ...errors({ ...authErrors, 404: 'NOT_FOUND' }),
  },
});

export function sessionRoutes(services: Services) {
  const { db, livekit, now, config } = services;
  const limits = sessionLimits(config);
  const clock = () => ({ now: now(), limits });
  /** The student's join token for the session's room, and when it expires (its own `exp` claim). */
  async function voiceConnection(session: Session) {
    const token = await livekit.participantToken({
      roomName: session.roomName,
      tenantId: session.tenantId,
      userId: session.userId,
      sessionId: session.id,
      caseStudyId: session.contentId,
    });
    const { exp } = decodeJwt(token);
    return { token, expiresAt: exp === undefined ? null : new Date(exp * 1000).toISOString() };
  }
  return new OpenAPIHono<AppEnv>()
    .openapi(initializeRoute, async (c) => {
      const { content_id, session_id, channel, metadata, context } = c.req.valid('json');
      const caller = c.var.auth;
      const { session, transcript } = session_id
        ? await resumeSession(services, caller, content_id, session_id, c.var.log)
        : {
            session: await startSession(services, caller, content_id, c.var.log, { channel, metadata, context }),
            transcript: [],
          };
      c.var.log.info(
        {
          session_id: session.id,
          tenant_id: session.tenantId,
          room_name: session.roomName,
          is_resume: Boolean(session_id),
        },
        'session initialized',
      );
      const view = sessionView(session, clock());
      // A text session never opened a room: nothing to join, so no token for one.
      const voice = session.channel === 'voice' ? await voiceConnection(session) : null;
      return c.json(
        success(
          {
            session: view,
            server_url: voice ? livekit.serverUrl : null,
            room_name: voice ? session.roomName : null,
            participant_token: voice?.token ?? null,
            expires_at: voice?.expiresAt ?? null,
            participant_name: PARTICIPANT_NAME,
            is_resume: Boolean(session_id),
            elapsed_active_time: view.elapsed_active_time,
            duration_limit: view.duration_limit,
            transcript: transcript.map(transcriptMessage),
          },
          'Session initialized successfully',
        ),
        200,
      );
    })
    .openapi(endRoute, async (c) => {
      const session = await endByStudent(services, c.var.auth, c.req.valid('param').session_id, c.var.log);
      return c.json(success(sessionView(session, clock()), 'Session ended successfully'), 200);
    })
    .openapi(listRoute, async (c) => {
      const { content_id, skip, limit } = c.req.valid('query');
      const listed = await listOwnSessions(db, c.var.auth, { contentId: content_id, skip, limit });
      const [rows, total] = [await settlePending(services, listed.rows, c.var.log), listed.total];
      return c.json(
        paged(
          rows.map((row) => sessionSummary(row, clock())),
          total,
          { skip, limit },
        ),
        200,
      );
    })
    .openapi(getRoute, async (c) => {
      const { session_id } = c.req.valid('param');
      const [session, messages] = await Promise.all([
        visibleSession(db, c.var.auth, session_id, 'read'),
        transcriptOf(db, session_id),
      ]);
      if (!session) throw notFound('Session');
      const data = sessionWithMessages(await settleOne(services, session, c.var.log), messages, clock());
      return c.json(success(data), 200);
    });
}
