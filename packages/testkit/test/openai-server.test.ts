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

  it('answers a scripted refusal in the refusal field, streamed or not', async () => {
    server.reply({ refusal: 'I cannot grade this.' }, { refusal: 'I cannot grade this.' });

    const message = (await (await chat({})).json()).choices[0].message;
    const streamed = dataEvents(await (await chat({ stream: true })).text());

    expect(message).toEqual({ role: 'assistant', content: null, refusal: 'I cannot grade this.' });
    expect(streamed.map((c) => c.choices[0]?.delta?.refusal ?? '').join('')).toBe('I cannot grade this.');
    expect(streamed.every((c) => !c.choices[0]?.delta?.content)).toBe(true);
  });

  it('breaks a stream off after the scripted number of content chunks: no finish, no [DONE]', async () => {
    server.reply({ content: 'one two three four five six seven eight nine', failAfterChunks: 2 });

    const res = await chat({ stream: true });
    const received: string[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const broken = await (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        received.push(value);
      }
    })().catch((error: unknown) => error);

    expect(broken).toBeInstanceOf(Error);
    const events = dataEvents(received.join(''));
    // The role chunk, then two chunks of three words.
    expect(events.map((c) => c.choices[0].delta.content)).toEqual(['', 'one two three ', 'four five six ']);
    expect(received.join('')).not.toContain('[DONE]');
  });

  it('cuts the connection of a non-streamed request scripted to break', async () => {
    server.reply({ json: { ok: true }, failAfterChunks: 0 });
    await expect(chat({})).rejects.toThrow();
    // The server is fine afterwards.
    server.reply({ content: 'still here' });
    expect((await (await chat({})).json()).choices[0].message.content).toBe('still here');
  });

  it('records arrival and first-byte times in fractional ms since the epoch', async () => {
    server.reply({ content: 'a', delayMs: 120 }, { content: 'b' });
    const before = Date.now();
    await (await chat({})).text();
    await (await chat({})).text();

    const [slow, quick] = server.requests;
    for (const r of [slow, quick]) {
      expect(r?.at).toBeGreaterThanOrEqual(before - 1);
      expect(r?.at).toBeLessThan(Date.now() + 1);
    }
    // Sub-millisecond resolution: not every stamp falls on a whole millisecond.
    const stamps = server.requests.flatMap((r) => [r.at, r.respondedAt ?? 0]);
    expect(stamps.some((t) => !Number.isInteger(t))).toBe(true);
    expect(slow!.respondedAt! - slow!.at).toBeGreaterThanOrEqual(115);
    expect(quick!.respondedAt! - quick!.at).toBeLessThan(100);
  });

  it('stamps a streamed answer at its first chunk, not at its end', async () => {
    const slowStream = await startOpenAIServer({ chunkDelayMs: 100 });
    slowStream.reply({ content: 'one two three four five six seven eight nine ten eleven twelve' });

    const res = await fetch(`${slowStream.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    await res.text();
    const endedAt = performance.timeOrigin + performance.now();
    await slowStream.close();

    const [request] = slowStream.requests;
    expect(request!.respondedAt! - request!.at).toBeLessThan(80);
    // Four chunks of content: the first with the first byte, then three pauses of 100 ms between them.
    expect(endedAt - request!.respondedAt!).toBeGreaterThanOrEqual(280);
    expect(endedAt - request!.respondedAt!).toBeLessThan(380);
  });
});

/** The JSON chunks of an SSE body, without `[DONE]`. */
function dataEvents(body: string) {
  return body
    .split('\n\n')
    .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice('data: '.length)));
}
