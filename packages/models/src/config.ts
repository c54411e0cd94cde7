/**
 * Model endpoint settings, read once at start. Any OpenAI-compatible server
 * works: OpenAI itself (OPENAI_API_KEY), or a local or self-hosted one
 * (OPENAI_BASE_URL, with or without a key). Neither set means "no model
 * configured", a normal state that callers plan for (offline grader, scripted patient).
 */
import { blankIsUnset, modelEndpointConfigSchema } from '@sp/runtime';
import { z } from 'zod';

/** The endpoint (OPENAI_API_KEY, OPENAI_BASE_URL) is the shared one; the models and limits are these. */
export const modelConfigSchema = modelEndpointConfigSchema.extend({
  TTS_VOICES: z
    .preprocess(blankIsUnset, z.string().max(2000).optional())
    .describe(
      "comma-separated voices the text-to-speech server offers (GET /v1/voices; a case naming another is refused at seeding); unset: OpenAI's voices, or any name with `OPENAI_BASE_URL`",
    ),
  GRADING_MODEL: z.string().min(1).default('gpt-4o-mini').describe('model that grades reports'),
  CHAT_MODEL: z.string().min(1).default('gpt-4o-mini').describe('model of the study assistant'),
  /** The patient on a session's text channel (the voice worker has its own AGENT_LLM_MODEL). */
  PATIENT_MODEL: z
    .string()
    .min(1)
    .default('gpt-4o-mini')
    .describe("model that plays the patient on a session's text channel (the voice worker uses `AGENT_LLM_MODEL`)"),
  /** One request's time limit; a slower answer counts as a provider error (and is retried by callers that retry). */
  MODEL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(60_000)
    .describe("one model request's time limit in milliseconds; a slower answer counts as a provider error"),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** A config from explicit values (tests, bench), with the same rules as the environment. */
export function modelConfig(values: Record<string, string | undefined> = {}): ModelConfig {
  return modelConfigSchema.parse(values);
}
