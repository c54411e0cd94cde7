/**
 * The OpenAI-wire model server for `pnpm bench:stream`, on its own thread as
 * a real provider would be on its own machine: a fixed time to first token,
 * then the answer in chunks. Asked for its records, it answers when each
 * request arrived and when its first byte went out, by the request's marker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startOpenAIServer } from '@sp/testkit';

export interface ModelThreadOptions {
  ttftMs: number;
  chunkDelayMs: number;
  answer: string;
}

export interface ModelTiming {
  marker: string;
  /** Arrival and first byte out, in ms since the epoch (high resolution). */
  at: number;
  respondedAt: number;
}

const options = workerData as ModelThreadOptions;
const server = await startOpenAIServer({ latencyMs: options.ttftMs, chunkDelayMs: options.chunkDelayMs });
server.onChat(() => ({ content: options.answer }));

/** The student's message carries a marker (`[bench:<id>]`) that ties the model request to the client's. */
const markerOf = (body: unknown) => {
  const messages = (body as { messages?: { content?: unknown }[] } | undefined)?.messages ?? [];
  return String(messages.at(-1)?.content ?? '').match(/\[bench:([^\]]+)\]/)?.[1] ?? '';
};

parentPort?.on('message', (message: string) => {
  if (message !== 'timings') return;
  const timings: ModelTiming[] = server.requests
    .filter((r) => r.path === '/v1/chat/completions' && r.respondedAt !== undefined)
    .map((r) => ({ marker: markerOf(r.body), at: r.at, respondedAt: r.respondedAt as number }));
  server.requests.length = 0;
  parentPort?.postMessage(timings);
});
parentPort?.postMessage({ baseURL: server.baseURL });
