import { type OpenAIServer, startOpenAIServer } from '@sp/testkit';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ConfiguredProvider,
  describeProvider,
  ModelError,
  modelConfig,
  modelProvider,
  requestStructured,
  streamChat,
} from '../src/index.js';

const server: OpenAIServer = await startOpenAIServer();
afterAll(() => server.close());
beforeEach(() => server.reset());

function provider(values: Record<string, string> = {}): ConfiguredProvider {
  const p = modelProvider(modelConfig({ OPENAI_BASE_URL: server.baseURL, GRADING_MODEL: 'grader-1', ...values }));
  if (!p.configured) throw new Error('expected a configured provider');
  return p;
}

const answerSchema = z.object({ verdict: z.enum(['met', 'not_met']), evidence: z.array(z.number().int()) });
const ask = (p: ConfiguredProvider) =>
  requestStructured(p, {
    model: p.models.grading,
    name: 'verdict',
    schema: answerSchema,
    messages: [{ role: 'user', content: 'grade this' }],
  });

describe('model provider', () => {
  it('is not configured when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set, and says so', () => {
    const p = modelProvider(modelConfig({ OPENAI_API_KEY: '', GRADING_MODEL: 'x' }));
    expect(p.configured).toBe(false);
    expect(describeProvider(p)).toMatch(/no model configured.*OPENAI_API_KEY and OPENAI_BASE_URL are unset/);
  });

  it('is configured by a base URL alone (self-hosted endpoints need no key)', () => {
    const p = provider({ CHAT_MODEL: 'chatty' });
    expect(p.baseURL).toBe(server.baseURL);
    expect(p.models).toEqual({ grading: 'grader-1', chat: 'chatty', patient: 'gpt-4o-mini' });
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => modelConfig({ OPENAI_BASE_URL: 'ftp://example.com' })).toThrow();
  });
});

describe('requestStructured', () => {
  it('asks for strict json_schema output and returns the checked answer', async () => {
    server.reply({ json: { verdict: 'met', evidence: [3] } });

    const answer = await ask(provider());

    expect(answer).toMatchObject({ ok: true, value: { verdict: 'met', evidence: [3] } });
    const [request] = server.chatRequests();
    expect(request?.model).toBe('grader-1');
    expect(request?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'verdict', strict: true },
    });
    expect(request?.response_format?.json_schema?.schema).toMatchObject({ required: ['verdict', 'evidence'] });
  });

  it('reports an answer that is not JSON as a problem, not as data', async () => {
    server.reply({ content: 'Sure! Here is the grade: {verdict: met' });
    const answer = await ask(provider());
    expect(answer).toMatchObject({ ok: false, problem: 'the answer is not valid JSON' });
  });

  it('reports an answer of the wrong shape as a problem naming the field', async () => {
    server.reply({ json: { verdict: 'excellent', evidence: [] } });
    const answer = await ask(provider());
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.problem).toMatch(/verdict/);
  });

  it("reports the model's refusal as a problem quoting it, not as data", async () => {
    server.reply({ refusal: 'I can’t help with grading this.' });
    const answer = await ask(provider());
    expect(answer).toEqual({ ok: false, problem: 'the model refused: I can’t help with grading this.', content: null });
  });

  it('reports an answer cut off by the length limit as a problem', async () => {
    server.reply({ content: '{"verdict": "me', finishReason: 'length' });
    const answer = await ask(provider());
    expect(answer).toMatchObject({ ok: false, problem: 'the answer was cut off (length)' });
  });
});

describe('provider errors', () => {
  it('turns a 429 into a retryable ModelError carrying the retry-after delay', async () => {
    server.reply({ error: { status: 429, message: 'slow down', retryAfterSeconds: 2 } });
    const error = await ask(provider()).catch((e) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 2000 });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('turns a 500 into a retryable ModelError and does not retry on its own', async () => {
    server.reply({ error: { status: 500, message: 'boom' } });
    const error = await ask(provider()).catch((e) => e);
    expect(error).toMatchObject({ retryable: true, status: 500 });
    expect(error.message).toMatch(/boom/);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('turns a 401 into a ModelError that is not retryable', async () => {
    server.reply({ error: { status: 401, message: 'bad key' } });
    const error = await ask(provider()).catch((e) => e);
    expect(error).toMatchObject({ retryable: false, status: 401 });
  });

  it('gives up on an answer slower than MODEL_TIMEOUT_MS with a retryable ModelError', async () => {
    server.reply({ json: { verdict: 'met', evidence: [] }, delayMs: 1_500 });
    const error = await ask(provider({ MODEL_TIMEOUT_MS: '200' })).catch((e) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.retryable).toBe(true);
  });
});

describe('streamChat', () => {
  it('streams the answer as deltas that join to the scripted text', async () => {
    const text = 'It started about an hour and a half ago, doc, carrying boxes.';
    server.reply({ content: text });

    const deltas: string[] = [];
    for await (const delta of streamChat(provider({ CHAT_MODEL: 'patient-1' }), {
      messages: [{ role: 'user', content: 'When did it start?' }],
    })) {
      deltas.push(delta);
    }

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(text);
    expect(server.chatRequests()[0]).toMatchObject({ model: 'patient-1', stream: true });
  });

  it('throws a ModelError when the stream breaks off, after the deltas that arrived', async () => {
    server.reply({ content: 'It started an hour ago, carrying boxes up the stairs.', failAfterChunks: 1 });

    const deltas: string[] = [];
    const consume = async () => {
      for await (const delta of streamChat(provider(), { messages: [{ role: 'user', content: 'When?' }] })) {
        deltas.push(delta);
      }
    };

    await expect(consume()).rejects.toBeInstanceOf(ModelError);
    expect(deltas).toEqual(['It started an ']);
  });

  it('throws a ModelError when the stream cannot start', async () => {
    server.reply({ error: { status: 503, message: 'overloaded' } });
    const consume = async () => {
      for await (const _ of streamChat(provider(), { messages: [{ role: 'user', content: 'hi' }] })) {
        // drain
      }
    };
    await expect(consume()).rejects.toMatchObject({ name: 'ModelError', retryable: true, status: 503 });
  });
});
