/**
 * A local HTTP server speaking the OpenAI wire protocol, for tests and
 * benchmarks: the real `openai` client (or any OpenAI-compatible client) is
 * pointed at `baseURL` and gets scripted answers. Chat completions stream (SSE
 * `data:` chunks, then `[DONE]`) or not, carry JSON for structured outputs or
 * a refusal, fail like the real service (500, 429 with retry-after), or break
 * off mid-stream. Every request is recorded, with high-resolution times of its
 * arrival and of the first byte of its answer. Audio transcriptions and
 * speech are served too (`audio`, see openai-audio.ts); other endpoints plug in
 * through `route()`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AudioEndpoints, type AudioOptions, audioEndpoints } from './openai-audio.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, when the body was JSON. */
  body: unknown;
  raw: Buffer;
  /** When it arrived: fractional ms since the epoch (`performance.timeOrigin + performance.now()`). */
  at: number;
  /** When the first byte of the answer was written, on the same clock; unset until then. */
  respondedAt?: number;
}

export interface ChatCompletionRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: { type: 'text' | 'json_object' | 'json_schema'; json_schema?: { name: string; schema?: unknown } };
  [field: string]: unknown;
}

export interface ApiErrorReply {
  status: number;
  message?: string;
  type?: string;
  code?: string | null;
  /** Sent as the `retry-after` header, in seconds. */
  retryAfterSeconds?: number;
}

/**
 * One scripted answer to a chat completion. `delayMs` adds latency to this
 * answer only. `failAfterChunks: n` breaks a streamed answer off after its
 * role chunk and `n` content chunks (the socket is destroyed, no `[DONE]`); a
 * non-streamed request with it gets its connection cut before any answer.
 */
export type ChatReply = { delayMs?: number } & (
  | { content: string; finishReason?: 'stop' | 'length' | 'content_filter'; failAfterChunks?: number }
  | { json: unknown; failAfterChunks?: number }
  | { refusal: string }
  | { error: ApiErrorReply }
);

export type ChatHandler = (request: ChatCompletionRequest, recorded: RecordedRequest) => ChatReply | Promise<ChatReply>;

/** A handler for any other endpoint (audio transcriptions, speech, ...). */
export type RouteHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface OpenAIServerOptions {
  /** Latency added before every answer. */
  latencyMs?: number;
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
  /** Latencies and pace of the audio endpoints. */
  audio?: AudioOptions;
}

export interface OpenAIServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What to give the client as `baseURL`: `<url>/v1`. */
  readonly baseURL: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The bodies of the chat completion requests received, in order. */
  chatRequests(): ChatCompletionRequest[];
  /** Queues answers, used in order, one per chat completion request. */
  reply(...replies: ChatReply[]): OpenAIServer;
  /** Answers chat completions once the queue is empty. */
  onChat(handler: ChatHandler): OpenAIServer;
  setLatency(ms: number): OpenAIServer;
  /** `/v1/audio/transcriptions` and `/v1/audio/speech`: what they answer, and what they were asked. */
  readonly audio: AudioEndpoints;
  /** Adds (or replaces) an endpoint, e.g. `route('POST', '/v1/embeddings', ...)`. */
  route(method: string, path: string, handler: RouteHandler): OpenAIServer;
  /** Forgets queued answers, the chat handler, recorded requests and the audio script and settings. */
  reset(): void;
  close(): Promise<void>;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export function sendApiError(response: ServerResponse, error: ApiErrorReply) {
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
  const type =
    error.type ??
    (error.status === 429 ? 'rate_limit_exceeded' : error.status >= 500 ? 'server_error' : 'invalid_request_error');
  sendJson(
    response,
    error.status,
    {
      error: {
        message: error.message ?? `scripted error ${error.status}`,
        type,
        param: null,
        code: error.code ?? null,
      },
    },
    headers,
  );
}

/** Milliseconds since the epoch, with the fraction `performance.now()` gives. */
const preciseNow = () => performance.timeOrigin + performance.now();

async function readRequest(request: IncomingMessage): Promise<RecordedRequest> {
  const at = preciseNow();
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  let body: unknown;
  if (raw.length && request.headers['content-type']?.includes('application/json')) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  return { method: request.method ?? 'GET', path, headers: request.headers, body, raw, at };
}

const completionId = () => `chatcmpl-${randomBytes(8).toString('hex')}`;
const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** What the assistant message carries: its text (or refusal), how it ended, and where a broken stream stops. */
interface Answer {
  content: string;
  /** The text goes in `refusal` instead of `content`. */
  refusal: boolean;
  finishReason: string;
  failAfterChunks?: number;
}

function answerOf(reply: ChatReply): Answer | null {
  if ('json' in reply) {
    return {
      content: JSON.stringify(reply.json),
      refusal: false,
      finishReason: 'stop',
      failAfterChunks: reply.failAfterChunks,
    };
  }
  if ('content' in reply) {
    return {
      content: reply.content,
      refusal: false,
      finishReason: reply.finishReason ?? 'stop',
      failAfterChunks: reply.failAfterChunks,
    };
  }
  if ('refusal' in reply) return { content: reply.refusal, refusal: true, finishReason: 'stop' };
  return null;
}

function usageOf(request: ChatCompletionRequest, content: string) {
  const prompt = tokensOf(JSON.stringify(request.messages ?? []));
  const completion = tokensOf(content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function sendCompletion(response: ServerResponse, request: ChatCompletionRequest, answer: Answer) {
  const { content, refusal } = answer;
  const message = refusal
    ? { role: 'assistant', content: null, refusal: content }
    : { role: 'assistant', content, refusal: null };
  sendJson(response, 200, {
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, finish_reason: answer.finishReason, logprobs: null }],
    usage: usageOf(request, content),
  });
}

async function streamCompletion(
  response: ServerResponse,
  request: ChatCompletionRequest,
  answer: Answer,
  chunkDelayMs: number,
) {
  const { content, finishReason, failAfterChunks } = answer;
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
  response.write(chunk({ role: 'assistant', content: '' }, null));
  // A few words per chunk, whitespace kept, so joined deltas equal the content exactly.
  const pieces = content.match(/(\S+\s*){1,3}|\s+/g) ?? [];
  for (const [sent, piece] of pieces.entries()) {
    if (sent === failAfterChunks) return breakOff(response);
    // The pause is between chunks: the first one follows the time to first token at once.
    if (chunkDelayMs > 0 && sent > 0) await sleep(chunkDelayMs);
    if (response.destroyed) return;
    response.write(chunk(answer.refusal ? { refusal: piece } : { content: piece }, null));
  }
  if (failAfterChunks !== undefined && failAfterChunks >= pieces.length) return breakOff(response);
  response.write(chunk({}, finishReason));
  if (request.stream_options?.include_usage) {
    response.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage: usageOf(request, content) })}\n\n`,
    );
  }
  response.end('data: [DONE]\n\n');
}

/** Ends the answer the way a dropped connection does: what was written arrives, then the socket is destroyed. */
function breakOff(response: ServerResponse) {
  if (response.socket) response.socket.destroySoon();
  else response.destroy();
}

/** Stamps `respondedAt` when the handler first writes to the answer (headers go out with it). */
function stampFirstByte(response: ServerResponse, recorded: RecordedRequest) {
  for (const method of ['write', 'end', 'flushHeaders'] as const) {
    const original = response[method] as (...args: unknown[]) => unknown;
    response[method] = ((...args: unknown[]) => {
      recorded.respondedAt ??= preciseNow();
      return original.apply(response, args);
    }) as never;
  }
}

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const queue: ChatReply[] = [];
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, RouteHandler>();
  let chatHandler: ChatHandler | null = null;
  let latencyMs = options.latencyMs ?? 0;

  const chatCompletions: RouteHandler = async (recorded, response) => {
    const request = recorded.body as ChatCompletionRequest | undefined;
    if (!request || typeof request.model !== 'string' || !Array.isArray(request.messages)) {
      return sendApiError(response, { status: 400, message: 'model and messages are required' });
    }
    const reply = queue.shift() ?? (await chatHandler?.(request, recorded));
    if (!reply) {
      return sendApiError(response, { status: 500, message: 'openai-server: no answer scripted for this request' });
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if ('error' in reply) return sendApiError(response, reply.error);
    const answer = answerOf(reply);
    if (!answer) return sendApiError(response, { status: 500, message: 'openai-server: unusable scripted answer' });
    if (request.stream) return streamCompletion(response, request, answer, options.chunkDelayMs ?? 0);
    if (answer.failAfterChunks !== undefined) {
      response.destroy();
      return;
    }
    sendCompletion(response, request, answer);
  };

  routes.set('POST /v1/chat/completions', chatCompletions);
  const audio = audioEndpoints();
  if (options.audio) audio.endpoints.configure(options.audio);
  routes.set('POST /v1/audio/transcriptions', audio.transcriptions);
  routes.set('POST /v1/audio/speech', audio.speech);
  routes.set('GET /v1/models', (_request, response) =>
    sendJson(response, 200, {
      object: 'list',
      data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'testkit' }],
    }),
  );

  const server = createServer(async (incoming, response) => {
    try {
      const recorded = await readRequest(incoming);
      stampFirstByte(response, recorded);
      requests.push(recorded);
      if (latencyMs > 0) await sleep(latencyMs);
      const handler = routes.get(`${recorded.method} ${recorded.path}`);
      if (!handler)
        return sendApiError(response, { status: 404, message: `no route ${recorded.method} ${recorded.path}` });
      await handler(recorded, response);
    } catch (error) {
      if (!response.headersSent) sendApiError(response, { status: 500, message: `openai-server: ${String(error)}` });
      else response.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: OpenAIServer = {
    url,
    baseURL: `${url}/v1`,
    requests,
    chatRequests: () =>
      requests
        .filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions')
        .map((r) => r.body as ChatCompletionRequest),
    reply(...replies) {
      queue.push(...replies);
      return api;
    },
    onChat(handler) {
      chatHandler = handler;
      return api;
    },
    audio: audio.endpoints,
    setLatency(ms) {
      latencyMs = ms;
      return api;
    },
    route(method, path, handler) {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
      return api;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      chatHandler = null;
      audio.endpoints.reset();
      if (options.audio) audio.endpoints.configure(options.audio);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return api;
}
