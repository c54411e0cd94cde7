/**
 * POST /mcp with the MCP SDK's own client over Streamable HTTP, against the
 * API on a real socket and a real database: the tools, a whole session by
 * text (start, send_message, end, get_report with its long-poll), and the
 * same isolation as the REST routes (another tenant sees nothing, a student
 * cannot read another's session), refusals as tool errors with our codes.
 */
import { serve } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { insertCaseStudy, insertTenant } from '@sp/dev-postgres/testing';
import { gradingConfig, startGradingConsumer } from '@sp/grading';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const consumer = await startGradingConsumer({
  db: test.db.db,
  sql: test.db.sql,
  logger: pino({ level: 'silent' }),
  config: gradingConfig({ GRADING_POLL_SECONDS: '0.5' }),
});
afterAll(() => consumer.stop(5_000));
const server = await new Promise<{ url: string; close: () => void }>((resolve) => {
  const s = serve({ fetch: test.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
  );
});
afterAll(() => server.close());

async function connect(token: string) {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  afterAll(() => client.close());
  return {
    client,
    call: async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult & {
        // biome-ignore lint/suspicious/noExplicitAny: tests assert on tool answers field by field
        structuredContent: Record<string, any>;
      },
  };
}

const alice = await studentOf(test, 'alice');
const bob = await studentOf(test, 'bob');
const other = await insertTenant(test.db.db);
await insertCaseStudy(test.db.db, other.id);
const outsider = await tokenFor({ userId: 'alice', tenantId: other.id, role: 'student' });

describe('the MCP endpoint', () => {
  it('lists the session tools, each with an input schema', async () => {
    const { client } = await connect(alice.token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'end_session',
      'get_report',
      'get_session',
      'get_transcript',
      'list_case_studies',
      'send_message',
      'start_session',
    ]);
    const send = tools.find((t) => t.name === 'send_message');
    expect(send?.inputSchema.required).toEqual(['session_id', 'body']);
    expect(send?.inputSchema.properties?.body).toMatchObject({ type: 'string', maxLength: 8000 });
  });

  it('runs a whole session: start, send_message with the reply whole, end, get_report after waiting', async () => {
    const { call } = await connect(alice.token);
    const cases = await call('list_case_studies');
    expect(cases.structuredContent.items.map((c: { id: string }) => c.id)).toEqual([test.caseStudy.id]);

    const started = await call('start_session', { content_id: test.caseStudy.id, metadata: { via: 'mcp' } });
    expect(started.isError).toBeFalsy();
    const session = started.structuredContent;
    expect(session).toMatchObject({ status: 'pending', user_id: 'alice', metadata: { via: 'mcp' } });

    const said = await call('send_message', {
      session_id: session.id,
      body: "Hello, I'm a medical student. What brings you in today?",
    });
    expect(said.isError).toBeFalsy();
    expect(said.structuredContent.reply.length).toBeGreaterThan(5);
    expect(said.content).toEqual([{ type: 'text', text: said.structuredContent.reply }]);
    expect(said.structuredContent).toMatchObject({ student_sequence: 1, sequence: 2, status: 'active' });

    const transcript = await call('get_transcript', { session_id: session.id });
    expect(transcript.structuredContent.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(transcript.structuredContent.messages[1].content).toBe(said.structuredContent.reply);

    const ended = await call('end_session', { session_id: session.id });
    expect(ended.structuredContent).toMatchObject({ status: 'ended', end_reason: 'user_ended' });
    const report = await call('get_report', { session_id: session.id, wait_seconds: 30 });
    expect(report.isError).toBeFalsy();
    expect(report.structuredContent).toMatchObject({ session_id: session.id, status: 'completed' });
    expect(typeof report.structuredContent.score).toBe('number');
    expect(report.structuredContent.items.length).toBeGreaterThan(0);
  });

  it("answers a refusal as a tool error with our code: another student's session is not found", async () => {
    const { call: asAlice } = await connect(alice.token);
    const { call: asBob } = await connect(bob.token);
    const started = await asAlice('start_session', { content_id: test.caseStudy.id });
    const id = started.structuredContent.id;
    for (const tool of ['get_session', 'get_transcript', 'end_session', 'get_report']) {
      const refused = await asBob(tool, { session_id: id });
      expect(refused.isError, tool).toBe(true);
      expect(refused.structuredContent.code, tool).toBe('NOT_FOUND');
      expect(refused.content).toEqual([{ type: 'text', text: expect.stringMatching(/^NOT_FOUND: /) }]);
    }
    const typed = await asBob('send_message', { session_id: id, body: 'hello' });
    expect(typed.structuredContent.code).toBe('NOT_FOUND');
    // Alice's own session is still untouched and hers.
    const mine = await asAlice('get_session', { session_id: id });
    expect(mine.structuredContent).toMatchObject({ id, status: 'pending', messages: [] });
    const again = await asAlice('start_session', { content_id: test.caseStudy.id });
    expect(again.structuredContent).toMatchObject({ code: 'SESSION_ACTIVE', details: { session_id: id } });
  });

  it("shows another tenant's token nothing of this tenant", async () => {
    const { call } = await connect(outsider);
    const cases = await call('list_case_studies');
    expect(cases.structuredContent.items.map((c: { id: string }) => c.id)).not.toContain(test.caseStudy.id);
    const refused = await call('start_session', { content_id: test.caseStudy.id });
    expect(refused.structuredContent.code).toBe('NOT_FOUND');
    const { call: asAlice } = await connect(alice.token);
    const sessions = await test.db.sql<{ id: string }[]>`select id from sessions where user_id = 'alice' limit 1`;
    const read = await call('get_session', { session_id: sessions[0]!.id });
    expect(read.structuredContent.code).toBe('NOT_FOUND');
    expect((await asAlice('get_session', { session_id: sessions[0]!.id })).isError).toBeFalsy();
  });

  it('refuses a request without a valid bearer token before any tool runs', async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('UNAUTHORIZED');
    await expect(connect('not-a-token')).rejects.toThrow(/UNAUTHORIZED/);
  });
});
