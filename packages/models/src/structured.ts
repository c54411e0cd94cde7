/**
 * Structured output: ask for JSON matching a zod schema (OpenAI `json_schema`
 * response format, strict) and check the answer with the same schema. An
 * answer that is not valid JSON or not of that shape comes back as a problem,
 * never as data; provider failures throw a ModelError.
 */

import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import { toModelError } from './model-error.js';
import type { ConfiguredProvider } from './provider.js';

export interface StructuredRequest<S extends z.ZodType> {
  model: string;
  messages: ChatCompletionMessageParam[];
  schema: S;
  /** Name of the schema as the provider sees it. */
  name: string;
  temperature?: number;
  signal?: AbortSignal;
}

export type StructuredAnswer<T> =
  | { ok: true; value: T; content: string }
  | { ok: false; problem: string; content: string | null };

export async function requestStructured<S extends z.ZodType>(
  provider: ConfiguredProvider,
  request: StructuredRequest<S>,
): Promise<StructuredAnswer<z.infer<S>>> {
  let completion: Awaited<ReturnType<typeof provider.client.chat.completions.create>>;
  try {
    completion = await provider.client.chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        temperature: request.temperature ?? 0,
        response_format: zodResponseFormat(request.schema, request.name),
        stream: false,
      },
      { signal: request.signal },
    );
  } catch (error) {
    throw toModelError(error);
  }
  const choice = completion.choices[0];
  const content = choice?.message.content ?? null;
  if (choice?.message.refusal) return { ok: false, problem: `the model refused: ${choice.message.refusal}`, content };
  if (choice?.finish_reason === 'length') return { ok: false, problem: 'the answer was cut off (length)', content };
  if (!content) return { ok: false, problem: 'the answer was empty', content };
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, problem: 'the answer is not valid JSON', content };
  }
  const parsed = request.schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, problem: `the answer does not match the schema (${where})`, content };
  }
  return { ok: true, value: parsed.data, content };
}
