/**
 * POST /mcp: the session API for AI assistants, over MCP's Streamable HTTP
 * transport (stateless: each request brings its own bearer token, nothing is
 * kept between requests). Each tool is a thin wrapper over one REST route,
 * called in-process with the caller's own token, so the token check, tenant
 * and ownership rules, validation, body limits and rate limits are exactly
 * the routes' own. A refused call comes back as an MCP tool error carrying our
 * error code (`{ code, message, details }` in `structuredContent`).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { contentIdSchema, initializeRequestSchema, sessionMessageRequestSchema } from '@sp/core';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/app-context.js';
import { sessionIdParam } from '../http/params.js';

const sessionId = { session_id: sessionIdParam.shape.session_id.describe('The session, from start_session') };

/** How one tool call reaches its route: the caller's token and request id, in-process. */
type CallRoute = (method: 'GET' | 'POST', path: string, json?: unknown) => Promise<Response>;

async function answer(res: Response): Promise<CallToolResult> {
  const body = (await res.json()) as {
    success: boolean;
    data?: unknown;
    message?: string | null;
    error?: { code: string; details: unknown };
  };
  if (!body.success || !res.ok) return toolError(body.error?.code ?? 'INTERNAL_ERROR', body.message ?? '', body.error);
  const data = (body.data ?? {}) as Record<string, unknown>;
  const result = Array.isArray(data) ? { items: data } : data;
  return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
}

function toolError(code: string, message: string, error?: { details: unknown }): CallToolResult {
  const details = (error?.details ?? {}) as Record<string, unknown>;
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}: ${message}` }],
    structuredContent: { code, message, details },
  };
}

/** The text channel's frames read whole: the reply's text and where the session stands after it. */
async function wholeReply(res: Response): Promise<CallToolResult> {
  if (!res.headers.get('content-type')?.includes('text/event-stream')) return answer(res);
  const frames = (await res.text())
    .split('\n\n')
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1],
      data: /^data: (.*)$/m.exec(block)?.[1],
    }))
    .filter((f): f is { event: string; data: string } => Boolean(f.event && f.data))
    .map((f) => ({ event: f.event, data: JSON.parse(f.data) as Record<string, unknown> }));
  const reply = frames
    .filter((f) => f.event === 'delta')
    .map((f) => f.data.text)
    .join('');
  const failed = frames.find((f) => f.event === 'error');
  const done = frames.find((f) => f.event === 'done')?.data ?? {};
  const meta = frames.find((f) => f.event === 'meta')?.data ?? {};
  if (failed) return toolError(String(failed.data.code), String(failed.data.message), { details: { reply } });
  const result = { reply, student_sequence: meta.sequence, ...done };
  return { content: [{ type: 'text', text: reply }], structuredContent: result };
}

function toolsFor(call: CallRoute): McpServer {
  const server = new McpServer({ name: 'standardized-patient', version: '1.0.0' });
  server.registerTool(
    'list_case_studies',
    {
      description: 'The published case studies you may practise (id, title, the patient and the time limit).',
      annotations: { readOnlyHint: true },
    },
    async () => answer(await call('GET', '/v1/case-studies')),
  );
  server.registerTool(
    'start_session',
    {
      description:
        'Start a practice session with a case by text. Answers the session (its id, status, time limit). ' +
        'Then talk to the patient with send_message.',
      inputSchema: {
        content_id: contentIdSchema,
        metadata: initializeRequestSchema.shape.metadata,
        context: initializeRequestSchema.shape.context,
      },
    },
    async (args) =>
      answer(await call('POST', '/v1/sessions/initialize', { ...args, channel: 'text' })).then((result) =>
        result.isError ? result : sessionOnly(result),
      ),
  );
  server.registerTool(
    'send_message',
    {
      description:
        "Say something to the patient in your session; answers the patient's whole reply and the session's " +
        'clock afterwards (status, end_reason, elapsed_active_time, duration_limit).',
      inputSchema: { ...sessionId, body: sessionMessageRequestSchema.shape.body },
    },
    async ({ session_id, body }) =>
      wholeReply(await call('POST', `/v1/sessions/${encodeURIComponent(session_id)}/messages`, { body })),
  );
  server.registerTool(
    'get_session',
    {
      description: 'One of your sessions, with its transcript.',
      inputSchema: sessionId,
      annotations: { readOnlyHint: true },
    },
    async ({ session_id }) => answer(await call('GET', `/v1/sessions/${encodeURIComponent(session_id)}`)),
  );
  server.registerTool(
    'end_session',
    {
      description: 'End your session; grading starts (read the result with get_report).',
      inputSchema: sessionId,
      annotations: { destructiveHint: true, idempotentHint: false },
    },
    async ({ session_id }) => answer(await call('POST', `/v1/sessions/${encodeURIComponent(session_id)}/end`)),
  );
  server.registerTool(
    'get_transcript',
    {
      description: 'The transcript of one of your sessions, in order: role, content, sequence, timestamp.',
      inputSchema: sessionId,
      annotations: { readOnlyHint: true },
    },
    async ({ session_id }) => {
      const result = await answer(await call('GET', `/v1/sessions/${encodeURIComponent(session_id)}`));
      if (result.isError) return result;
      const messages = (result.structuredContent as { messages?: unknown[] }).messages ?? [];
      const transcript = { session_id, messages };
      return { content: [{ type: 'text', text: JSON.stringify(transcript) }], structuredContent: transcript };
    },
  );
  server.registerTool(
    'get_report',
    {
      description:
        "The graded report of an ended session. While grading runs it answers the status ('pending', 'running'); " +
        'give wait_seconds to wait (up to 120 s) for the report instead.',
      inputSchema: {
        ...sessionId,
        wait_seconds: z
          .number()
          .int()
          .min(1)
          .max(120)
          .optional()
          .describe('Wait up to this many seconds for grading to finish'),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ session_id, wait_seconds }) => {
      const query = wait_seconds ? `?wait_for_completion=true&timeout_seconds=${wait_seconds}` : '';
      return answer(await call('GET', `/v1/sessions/${encodeURIComponent(session_id)}/report${query}`));
    },
  );
  return server;
}

/** start_session answers the session itself; the voice fields of initialize are all null on the text channel. */
function sessionOnly(result: CallToolResult): CallToolResult {
  const { session } = result.structuredContent as { session: Record<string, unknown> };
  return { content: [{ type: 'text', text: JSON.stringify(session) }], structuredContent: session };
}

/** The handler of POST /mcp (behind the bearer check); GET and DELETE answer 405 (no server-held streams). */
export function mcpEndpoint(app: Hono<AppEnv>) {
  return async (c: Context<AppEnv>) => {
    const headers = {
      authorization: c.req.header('authorization') ?? '',
      'x-request-id': c.var.requestId,
    };
    const call: CallRoute = (method, path, json) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          body: json === undefined ? undefined : JSON.stringify(json),
          signal: c.req.raw.signal,
        }),
      );
    const server = toolsFor(call);
    // Stateless, with plain JSON answers: every call is one request and one answer.
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  };
}
