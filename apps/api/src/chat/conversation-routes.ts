/** /v1/mind/conversations: a student's study-assistant history, newest first, a page at a time. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  conversationListQuerySchema,
  conversationListResponseSchema,
  conversationMessagesQuerySchema,
  conversationResponseSchema,
  notFound,
} from '@sp/core';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { paged } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';
import {
  type ConversationMessageRow,
  type ConversationSummaryRow,
  listConversations,
  readConversation,
} from './chat-store.js';

const listRoute = createRoute({
  method: 'get',
  path: '/conversations',
  tags: ['study assistant'],
  summary: 'Your study-assistant conversations, most recently updated first',
  security,
  request: { query: conversationListQuerySchema },
  responses: {
    200: json(conversationListResponseSchema, 'A page of conversations'),
    ...errors({ ...authErrors, 422: 'VALIDATION_ERROR: skip < 0 or limit outside 1–100' }),
  },
});

const readRoute = createRoute({
  method: 'get',
  path: '/conversations/{conversation_id}',
  tags: ['study assistant'],
  summary: 'One of your conversations (its id, or the id you chose) with a page of its messages, newest first',
  security,
  request: {
    params: z.object({
      conversation_id: z
        .string()
        .max(100)
        .meta({ param: { name: 'conversation_id', in: 'path' } }),
    }),
    query: conversationMessagesQuerySchema,
  },
  responses: {
    200: json(conversationResponseSchema, 'The conversation and a page of its messages (`total` counts messages)'),
    ...errors({
      ...authErrors,
      404: 'NOT_FOUND: no such conversation of yours',
      422: 'VALIDATION_ERROR: skip < 0 or limit outside 1–100',
    }),
  },
});

const summary = (row: ConversationSummaryRow) => ({
  id: row.id,
  channel: row.channel,
  message_count: row.message_count,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

const message = (row: ConversationMessageRow) => ({
  sequence: row.sequence,
  role: row.role,
  content: row.content,
  action: row.action,
  blocked_reason: row.blocked_reason,
  created_at: new Date(row.created_at).toISOString(),
});

export function conversationRoutes({ db }: Services) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const { skip, limit } = c.req.valid('query');
      const { rows, total } = await listConversations(db, c.var.auth, skip, limit);
      const data = rows.map(summary);
      return c.json(paged(data, total, { skip: skip, limit: limit }), 200);
    })
    .openapi(readRoute, async (c) => {
      const { conversation_id } = c.req.valid('param');
      const { skip, limit } = c.req.valid('query');
      const found = await readConversation(db, c.var.auth, conversation_id, skip, limit);
      if (!found) throw notFound('Conversation');
      const total = found.conversation.message_count;
      const data = { ...summary(found.conversation), messages: found.messages.map(message) };
      return c.json(paged(data, total, { skip: skip, limit: limit }), 200);
    });
}
