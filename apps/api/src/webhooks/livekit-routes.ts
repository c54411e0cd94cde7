/**
 * POST /v1/webhooks/livekit: LiveKit's signed webhook. No bearer token: the
 * `Authorization` header is a JWT from LiveKit, signed with our API key pair,
 * carrying the SHA-256 of the raw body; `WebhookReceiver` checks both before
 * anything is read from the body, so a missing, wrong or tampered signature
 * answers 401 and changes nothing.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { DomainError, successEnvelope } from '@sp/core';
import { WebhookReceiver } from 'livekit-server-sdk';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { errors, json } from '../http/openapi.js';
import { applyLiveKitEvent } from './livekit-events.js';

const webhookAnswerSchema = z
  .object({
    event_id: z.string(),
    event: z.string(),
    duplicate: z.boolean().meta({ description: 'true when this event id was processed before (nothing done again)' }),
    session_id: z.string().nullable().meta({ description: 'The session the event changed; null when it changed none' }),
  })
  .meta({ id: 'LiveKitWebhookAnswer' });

const webhookRoute = createRoute({
  method: 'post',
  path: '/livekit',
  tags: ['webhooks'],
  summary: "LiveKit's signed webhook (participant_joined, participant_left, room_finished)",
  description:
    'Point LiveKit at this URL (`webhook.urls` in livekit.yaml, signed with `webhook.api_key`, which must be ' +
    "this API's LIVEKIT_API_KEY). The body is LiveKit's WebhookEvent JSON (`application/webhook+json`); the " +
    '`Authorization` header is the JWT LiveKit signs over its SHA-256. No bearer token.',
  responses: {
    200: json(successEnvelope(webhookAnswerSchema), 'Processed (or already processed) event'),
    ...errors({
      401: 'UNAUTHORIZED: a missing, wrong or tampered signature; nothing was changed',
      422: 'VALIDATION_ERROR: signed, but not a LiveKit event (no id or event name)',
    }),
  },
});

export function liveKitWebhookRoutes({ db, config, now }: Services) {
  const receiver = new WebhookReceiver(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET);
  return new OpenAPIHono<AppEnv>().openapi(webhookRoute, async (c) => {
    const body = await c.req.text();
    const authorization = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    let event: Awaited<ReturnType<WebhookReceiver['receive']>>;
    try {
      event = await receiver.receive(body, authorization);
    } catch (error) {
      c.var.log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'livekit webhook refused');
      throw new DomainError('UNAUTHORIZED', 'The webhook signature is missing or does not match the body');
    }
    if (!event.id || !event.event) {
      throw new DomainError('VALIDATION_ERROR', 'Not a LiveKit webhook event: id and event are required', {
        fields: [{ field: event.id ? 'event' : 'id', in: 'body', message: 'required' }],
      });
    }
    const outcome = await applyLiveKitEvent(db, event, now());
    const session = outcome.kind === 'applied' ? outcome.session : null;
    c.var.log.info(
      {
        event_id: event.id,
        event: event.event,
        room_name: event.room?.name,
        session_id: session?.id ?? null,
        outcome: outcome.kind === 'applied' ? outcome.effect : 'duplicate',
      },
      'livekit webhook',
    );
    const data = {
      event_id: event.id,
      event: event.event,
      duplicate: outcome.kind === 'duplicate',
      session_id: session?.id ?? null,
    };
    return c.json(success(data), 200);
  });
}
