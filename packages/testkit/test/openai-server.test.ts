import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sendJson, startOpenAIServer } from '../src/openai-server.js';

const server = await startOpenAIServer();
afterAll(() => server.close());
beforeEach(() => server.reset());

const chat = (body: Record<string, unknown>) =>
  fetch(`${server.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

describe('local OpenAI-wire server', () => {
  it('streams SSE chunks that end with a usage chunk and [DONE]', async () => {
    server.reply({ content: 'one two three four five' });

    const res = await chat({ stream: true, stream_options: { include_usage: true } });

    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('one two three four five');
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage.total_tokens).toBeGreaterThan(0);
  });

  it('answers queued replies in order, then the handler, then a 500 naming the missing script', async () => {
    server.reply({ content: 'first' }, { json: { ok: true } });
    server.onChat((request) => ({ content: `echo ${request.messages.length}` }));

    const contents = [];
    for (let i = 0; i < 3; i++) contents.push((await (await chat({})).json()).choices[0].message.content);

    expect(contents).toEqual(['first', '{"ok":true}', 'echo 1']);
    server.reset();
    const missing = await chat({});
    expect(missing.status).toBe(500);
    expect((await missing.json()).error.message).toMatch(/no answer scripted/);
  });

  it('answers a scripted 429 with retry-after and an OpenAI error body', async () => {
    server.reply({ error: { status: 429, retryAfterSeconds: 3 } });
    const res = await chat({});
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await res.json()).error).toMatchObject({ type: 'rate_limit_exceeded', code: null });
  });

  it('adds the configured latency and records every request', async () => {
    server.setLatency(300);
    server.reply({ content: 'late' });
    const started = Date.now();
    await chat({ response_format: { type: 'json_object' } });
    server.setLatency(0);

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.chatRequests()[0]?.response_format).toEqual({ type: 'json_object' });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer k');
  });

  it('takes new endpoints through route(), and answers 404 for unknown ones', async () => {
    server.route('POST', '/v1/audio/speech', (request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg' });
      response.end(Buffer.from(`spoken:${(request.body as { input: string }).input}`));
    });
    server.route('GET', '/v1/ping', (_request, response) => sendJson(response, 200, { pong: true }));

    const speech = await fetch(`${server.baseURL}/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts', input: 'hello', voice: 'alloy' }),
    });
    expect(Buffer.from(await speech.arrayBuffer()).toString()).toBe('spoken:hello');
    expect(await (await fetch(`${server.baseURL}/ping`)).json()).toEqual({ pong: true });
    expect((await fetch(`${server.baseURL}/nope`)).status).toBe(404);
  });
});
