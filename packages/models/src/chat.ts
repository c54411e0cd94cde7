/** Streamed chat completions: the text deltas of one answer, as they arrive. */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { toModelError } from './model-error.js';
import type { ConfiguredProvider } from './provider.js';

export interface ChatRequest {
  messages: ChatCompletionMessageParam[];
  /** Defaults to the configured CHAT_MODEL. */
  model?: string;
  temperature?: number;
  signal?: AbortSignal;
}

export async function* streamChat(provider: ConfiguredProvider, request: ChatRequest): AsyncGenerator<string> {
  try {
    const stream = await provider.client.chat.completions.create(
      {
        model: request.model ?? provider.models.chat,
        messages: request.messages,
        temperature: request.temperature,
        stream: true,
      },
      { signal: request.signal },
    );
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content;
      if (delta) yield delta;
    }
  } catch (error) {
    throw toModelError(error);
  }
}
