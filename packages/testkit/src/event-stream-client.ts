/**
 * A Server-Sent Events client for tests and benchmarks: `fetch` a streaming
 * endpoint and read its frames with `eventsource-parser` (the parser behind
 * many production SSE clients), each frame's data parsed as JSON.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';

export interface StreamFrame<T = unknown> {
  event: string;
  data: T;
  /** The frame's `id:` (undefined when it has none). */
  id?: string;
  /** When the frame arrived (performance.now() of this thread). */
  at: number;
}

/** The frames of an SSE response, as they arrive. Stops at the end of the stream. */
export async function* readEventStream(response: Response): AsyncGenerator<StreamFrame> {
  if (!response.body) throw new Error('the response has no body');
  const reader = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield {
        event: value.event ?? 'message',
        data: JSON.parse(value.data),
        ...(value.id !== undefined && { id: value.id }),
        at: performance.now(),
      };
    }
  } finally {
    reader.releaseLock();
  }
}

/** Every frame of an SSE response. */
export async function collectEventStream(response: Response): Promise<StreamFrame[]> {
  const frames: StreamFrame[] = [];
  for await (const frame of readEventStream(response)) frames.push(frame);
  return frames;
}
