/**
 * The streamed text features: the study-assistant chat (POST /v1/mind/chat)
 * and the text channel of a case session (POST /v1/sessions/{id}/messages).
 * Both answer `text/event-stream` with one grammar:
 *
 *   meta → delta* → done          an answered turn
 *   meta → message → done         a blocked turn (chat only)
 *   meta → delta* → error → done  the model failed; what it said before is kept
 *
 * Every frame is `event: <name>` and `data: <one JSON object>`.
 */
import { z } from 'zod';
import { endReasons, sessionStatuses } from '../session-rules.js';

export const MESSAGE_BODY_MAX = 8000;

const messageBody = z
  .string()
  .min(1)
  .max(MESSAGE_BODY_MAX)
  .meta({ description: `The student's message (1–${MESSAGE_BODY_MAX} characters)` });

export const chatActions = ['free-chat', 'explain-concept', 'submission-guide', 'advisor'] as const;
export type ChatAction = (typeof chatActions)[number];
/** The lanes the router resolves `free-chat` to. */
export type ChatLane = Exclude<ChatAction, 'free-chat'>;

export const blockReasons = ['quota_exceeded', 'assessment_lock', 'prompt_injection'] as const;
export type BlockReason = (typeof blockReasons)[number];

const pageText = z.string().max(500).optional();

export const chatRequestSchema = z
  .object({
    body: messageBody,
    action: z
      .enum(chatActions)
      .default('free-chat')
      .meta({ description: 'A quick action; `free-chat` lets the router pick the lane' }),
    context: z
      .object({
        conversation_id: z
          .string()
          .min(1)
          .max(100)
          .optional()
          .meta({
            description:
              'The conversation to continue (its id from `meta`), or an id of your own choosing such as `demo-1`, ' +
              'which starts the conversation the first time and continues it after; omit for a new conversation',
          }),
        channel: z.string().min(1).max(40).optional().meta({ example: 'student' }),
        page: z
          .object({ title: pageText, path: pageText, course_code: pageText, material_id: pageText })
          .optional()
          .meta({ description: 'What the student is viewing: a routing hint' }),
      })
      .optional(),
  })
  .meta({ id: 'ChatRequest' });
export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatPage = NonNullable<NonNullable<ChatRequest['context']>['page']>;

export const sessionMessageRequestSchema = z.object({ body: messageBody }).meta({ id: 'SessionMessageRequest' });
export type SessionMessageRequest = z.infer<typeof sessionMessageRequestSchema>;

/** `delta`: a chunk of the answer; concatenated in order they are the whole answer. */
export const deltaEventSchema = z.object({ text: z.string() }).meta({ id: 'DeltaEvent' });

/** `message`: the turn was blocked; sent instead of deltas. */
export const blockedEventSchema = z
  .object({ text: z.string(), reason: z.enum(blockReasons) })
  .meta({ id: 'BlockedEvent' });

/** `error`: the model (or, rarely, the server) failed; what was streamed so far stands. */
export const errorEventSchema = z
  .object({ code: z.enum(['MODEL_UNAVAILABLE', 'INTERNAL_ERROR']), message: z.string() })
  .meta({ id: 'StreamErrorEvent' });

export const chatMetaEventSchema = z
  .object({
    conversation_id: z.string(),
    action: z.enum(chatActions),
    confidence: z.number().min(0).max(1),
  })
  .meta({ id: 'ChatMetaEvent' });

export const chatDoneEventSchema = z
  .object({
    conversation_id: z.string(),
    action: z.enum(chatActions),
    revised: z.string().nullable().meta({ description: 'The guardrail-corrected answer, else null' }),
    remaining: z.number().int().min(0).nullable().meta({ description: "Today's quota left; null when unlimited" }),
  })
  .meta({ id: 'ChatDoneEvent' });

export const patientEngines = ['model', 'scripted'] as const;
export type PatientEngine = (typeof patientEngines)[number];

export const sessionMetaEventSchema = z
  .object({
    session_id: z.string(),
    sequence: z.number().int().min(1).meta({ description: "The student's turn, as stored" }),
    engine: z.enum(patientEngines).meta({ description: '`scripted`: the offline patient (no model configured)' }),
  })
  .meta({ id: 'SessionMetaEvent' });

export const sessionDoneEventSchema = z
  .object({
    session_id: z.string(),
    sequence: z
      .number()
      .int()
      .min(1)
      .nullable()
      .meta({ description: "The patient's reply, as stored (null when the model failed before saying anything)" }),
    status: z.enum(sessionStatuses),
    end_reason: z.enum(endReasons).nullable(),
    elapsed_active_time: z.number(),
    duration_limit: z.number().int(),
  })
  .meta({ id: 'SessionDoneEvent' });

export type ChatStreamEvent =
  | { event: 'meta'; data: z.infer<typeof chatMetaEventSchema> }
  | { event: 'delta'; data: z.infer<typeof deltaEventSchema> }
  | { event: 'message'; data: z.infer<typeof blockedEventSchema> }
  | { event: 'error'; data: z.infer<typeof errorEventSchema> }
  | { event: 'done'; data: z.infer<typeof chatDoneEventSchema> };

export type SessionStreamEvent =
  | { event: 'meta'; data: z.infer<typeof sessionMetaEventSchema> }
  | { event: 'delta'; data: z.infer<typeof deltaEventSchema> }
  | { event: 'error'; data: z.infer<typeof errorEventSchema> }
  | { event: 'done'; data: z.infer<typeof sessionDoneEventSchema> };

export type StreamEvent = ChatStreamEvent | SessionStreamEvent;
