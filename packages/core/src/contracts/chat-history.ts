/** GET /v1/mind/conversations and /{conversation_id}: a student's study-assistant history, newest first, paged. */
import { z } from 'zod';
import { turnRoles } from '../vocabulary.js';
import { pageFields, pageQuery } from './envelope.js';
import { chatActions } from './streams.js';

export const conversationListQuerySchema = z.object(pageQuery);
export const conversationMessagesQuerySchema = z.object(pageQuery);

export const conversationSummarySchema = z
  .object({
    id: z.string(),
    channel: z.string().nullable(),
    message_count: z.number().int(),
    created_at: z.iso.datetime({ offset: true }),
    updated_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ConversationSummary' });

export const conversationMessageSchema = z
  .object({
    sequence: z.number().int(),
    role: z.enum(turnRoles),
    content: z.string().meta({ description: "The text as the student saw it last (an answer's correction, if any)" }),
    action: z.enum(chatActions).or(z.string()),
    blocked_reason: z.string().nullable(),
    created_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ConversationMessage' });

export const conversationListResponseSchema = z
  .object({ success: z.literal(true), data: z.array(conversationSummarySchema), ...pageFields, message: z.null() })
  .meta({ id: 'ConversationList' });

export const conversationResponseSchema = z
  .object({
    success: z.literal(true),
    data: conversationSummarySchema.extend({
      messages: z.array(conversationMessageSchema).meta({ description: 'A page of messages, newest first' }),
    }),
    ...pageFields,
    message: z.null(),
  })
  .meta({ id: 'Conversation' });
