/**
 * An oversized body over a real socket: the 413 must leave a pooled client
 * able to send its next request (the answer says `Connection: close`, so the
 * client opens a fresh connection instead of writing to one being closed).
 */
import { Agent, request } from 'node:http';
import { serve } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, studentOf } from './support.js';

const test = await buildTestApp();
const student = await studentOf(test);
const server = await new Promise<{ port: number; close: () => void }>((resolve) => {
  const s = serve({ fetch: test.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    resolve({ port: info.port, close: () => s.close() }),
  );
});
afterAll(() => server.close());

/** One socket at most, kept alive between requests: a pooled client. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
afterAll(() => agent.destroy());

function call(method: string, path: string, body?: Buffer | string, chunked = false) {
  return new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        agent,
        headers: {
          authorization: `Bearer ${student.token}`,
          'content-type': 'application/json',
          ...(body !== undefined && !chunked && { 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const huge = JSON.stringify({ content_id: test.caseStudy.id, padding: 'x'.repeat(300_000) });

describe('an oversized body on a kept-alive connection', () => {
  for (const chunked of [false, true]) {
    it(`answers 413 PAYLOAD_TOO_LARGE with Connection: close, and the next request on the pool works (${chunked ? 'chunked' : 'content-length'})`, async () => {
      const first = await call('GET', '/v1/sessions');
      expect(first.status).toBe(200);

      const tooLarge = await call('POST', '/v1/sessions/initialize', huge, chunked);
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.text).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(tooLarge.connection).toBe('close');

      for (let i = 0; i < 3; i++) expect((await call('GET', '/v1/sessions')).status).toBe(200);
    });
  }
});
