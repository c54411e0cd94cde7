/** GET /v1/voices: the voices a case study may name for its patient, from the configured text-to-speech provider. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { successEnvelope, voiceCatalog } from '@sp/core';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { success } from '../http/envelope.js';
import { authErrors, errors, json, security } from '../http/openapi.js';

const voicesSchema = z
  .object({
    provider: z.enum(['openai', 'openai-compatible']).meta({
      description: '`openai`: OpenAI itself; `openai-compatible`: the server at OPENAI_BASE_URL',
    }),
    voices: z.array(z.object({ id: z.string() })).meta({ description: 'The names a case may use in persona.voice' }),
    any_name: z.boolean().meta({
      description: 'true when the provider lists no voices (OPENAI_BASE_URL without TTS_VOICES): any name is passed on',
    }),
  })
  .meta({ id: 'Voices' });

const voicesRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['case-studies'],
  summary: "The voices a case study's patient may speak with",
  security,
  responses: {
    200: json(successEnvelope(voicesSchema), 'The configured provider and its voices'),
    ...errors(authErrors),
  },
});

export function voiceRoutes({ config }: Services) {
  const catalog = voiceCatalog(config);
  const data = {
    provider: catalog.provider,
    voices: (catalog.voices ?? []).map((id) => ({ id })),
    any_name: catalog.voices === null,
  };
  return new OpenAPIHono<AppEnv>().openapi(voicesRoute, (c) => c.json(success(data), 200));
}
