/**
 * A reply whose connection is cut mid-stream, in Chromium against the real
 * API: the page reaches the API through a TCP relay that cuts the connection
 * carrying the first streamed reply after a few frames. The web app resumes
 * it with `Last-Event-ID` and the student sees the whole reply, once.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { modelConfig, modelProvider } from '@sp/models';
import { startOpenAIServer } from '@sp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPage } from './page-checks.js';
import { launchBrowser, openPage, signInAs, startStack } from './stack.js';

const ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const model = await startOpenAIServer({ chunkDelayMs: 40 });
afterAll(() => model.close());
model.onChat(() => ({ content: ANSWER }));
const stack = await startStack({ models: modelProvider(modelConfig({ OPENAI_BASE_URL: model.baseURL })) });
const browser = await launchBrowser();

/** What went through the relay: request lines, and whether it cut a stream. */
const relayed = { requests: [] as string[], cut: false };

/** Relays TCP to the API; the first connection that carries a streamed reply is destroyed after 3 deltas. */
const relay = await new Promise<{ url: string; close: () => void }>((resolve) => {
  const upstreamPort = Number(new URL(stack.url).port);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    let armed = false;
    let seen = '';
    client.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      for (const line of text.match(/^(GET|POST) \S+/gm) ?? []) relayed.requests.push(line);
      if (!relayed.cut && /^POST \/v1\/sessions\/\S+\/messages/m.test(text)) armed = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      client.write(chunk);
      if (!armed) return;
      seen += chunk.toString('latin1');
      if ((seen.match(/event: delta/g) ?? []).length >= 3) {
        relayed.cut = true;
        armed = false;
        client.destroy();
        upstream.destroy();
      }
    });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('end', () => b.end());
      a.on('error', () => b.destroy());
      a.on('close', () => sockets.delete(a));
    }
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    resolve({
      url: `http://127.0.0.1:${port}`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        server.close();
      },
    });
  });
});
afterAll(() => relay.close());

describe('a streamed reply cut mid-way', () => {
  it('is resumed by the web app with Last-Event-ID and shown whole, once', async () => {
    const { page, context } = await openPage(browser, { ...stack, url: relay.url }, '/');
    await signInAs(page);
    const caseStudy = stack.seeded.caseStudies[0]!;
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: caseStudy.title }) });
    await card.getByRole('link', { name: 'Start by typing' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]+\/text$/);
    const sessionId = page.url().split('/').at(-2)!;

    await page.getByLabel(/Your message to/).fill('How have you been feeling?');
    await page.getByRole('button', { name: 'Send' }).click();
    // The reply carries its stored sequence once `done` arrived.
    const reply = page.locator('#turn-2');
    await reply.waitFor();

    expect(relayed.cut).toBe(true);
    expect(relayed.requests).toContain(`GET /v1/sessions/${sessionId}/messages`);
    expect(await reply.locator('.content').textContent()).toBe(ANSWER);
    expect(await page.getByText('could not answer').count()).toBe(0);
    await checkPage(page, 'typing session after a resumed reply');
    await context.close();
  });
});
