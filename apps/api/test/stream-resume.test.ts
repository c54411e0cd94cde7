/**
 * Resumable answers, over real HTTP on two API processes sharing one
 * PostgreSQL: a client cut off mid-answer comes back with `Last-Event-ID`, to
 * the same process or the other one, and gets the frames it missed once each
 * and in order, then the rest up to `done`; nobody else can resume it.
 */
import { serve } from '@hono/node-server';
import { loadTranscript } from '@sp/db';
import { insertCaseStudy, insertTenant } from '@sp/dev-postgres/testing';
import { modelConfig, modelProvider } from '@sp/models';
import { collectEventStream, readEventStream, type StreamFrame, startOpenAIServer } from '@sp/testkit';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/app.js';
import { apiConfig } from '../src/config.js';
import { BackgroundWork } from '../src/http/background-work.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const ANSWER = Array.from({ length: 45 }, (_, i) => `word${i}`).join(' ');
const model = await startOpenAIServer({ chunkDelayMs: 20 });
afterAll(() => model.close());
const models = modelProvider(modelConfig({ OPENAI_BASE_URL: model.baseURL }));
const env = { CHAT_DAILY_QUOTA: 'unlimited', STREAM_REPLAY_FLUSH_MS: '40', STREAM_STALL_SECONDS: '0.5' };
const test = await buildTestApp({ models, env });
// A second API process on the same database: nothing in memory shared with the first.
const secondWork = new BackgroundWork();
const second = createApp({
  db: test.db.db,
  config: apiConfig({ ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent', LIVEKIT_URL: test.config.LIVEKIT_URL }),
  livekit: liveKitRooms(test.config),
  models,
  work: secondWork,
});
afterAll(() => secondWork.idle());

function listen(app: App) {
  return new Promise<{ url: string; close: () => void }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
    );
  });
}
const one = await listen(test.app);
const two = await listen(second);
afterAll(() => {
  one.close();
  two.close();
});

beforeEach(() => {
  model.reset();
  model.onChat(() => ({ content: ANSWER }));
});

type Student = Awaited<ReturnType<typeof studentOf>>;
const auth = (student: Student) => ({ authorization: `Bearer ${student.token}` });
const seqOf = (frame: StreamFrame) => Number(frame.id?.split(':')[1]);
const streamIdOf = (frame: StreamFrame) => frame.id?.split(':')[0] ?? '';
const deltas = (frames: StreamFrame[]) =>
  frames
    .filter((f) => f.event === 'delta')
    .map((f) => (f.data as { text: string }).text)
    .join('');

/** Posts a streamed turn and reads `keep` frames, then cuts the connection. */
async function cutAfter(url: string, student: Student, keep: number, body: unknown): Promise<StreamFrame[]> {
  const leave = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...auth(student), 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: leave.signal,
  });
  expect(res.status).toBe(200);
  const seen: StreamFrame[] = [];
  try {
    for await (const frame of readEventStream(res)) {
      seen.push(frame);
      if (seen.length === keep) leave.abort();
    }
  } catch {
    // the abort ends the read
  }
  return seen;
}

async function resume(url: string, student: Student, lastEventId: string) {
  const res = await fetch(url, { headers: { ...auth(student), 'last-event-id': lastEventId } });
  // The security headers are on every answer, a resumed stream included.
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  if (!res.headers.get('content-type')?.includes('text/event-stream')) {
    return { status: res.status, frames: [] as StreamFrame[], body: await res.json() };
  }
  return { status: res.status, frames: await collectEventStream(res), body: null };
}

/** The frames seen before the cut and after the resumption are the answer's frames, 1..n, each once, ending in done. */
function expectWhole(before: StreamFrame[], after: StreamFrame[]) {
  const all = [...before, ...after];
  expect(all.map(seqOf)).toEqual(all.map((_, i) => i + 1));
  expect(new Set(all.map(streamIdOf)).size).toBe(1);
  expect(all[0]?.event).toBe('meta');
  expect(all.at(-1)?.event).toBe('done');
  expect(all.filter((f) => f.event === 'done')).toHaveLength(1);
  expect(deltas(all)).toBe(ANSWER);
}

async function textSession(student: Student, contentId = test.caseStudy.id) {
  const { status, body } = await send(test.app, 'POST', '/v1/sessions/initialize', {
    token: student.token,
    json: { content_id: contentId, channel: 'text' },
  });
  expect(status).toBe(200);
  return body.data.session.id as string;
}

describe('resuming /v1/mind/chat', () => {
  it('gives every frame an id, and a cut answer resumes on the same process: missing frames once, in order, then done', async () => {
    const student = await studentOf(test);
    const before = await cutAfter(`${one.url}/v1/mind/chat`, student, 4, { body: 'Explain osmosis' });
    expect(before.every((f) => /^[0-9a-f-]{36}:\d+$/.test(f.id ?? ''))).toBe(true);

    const after = await resume(`${one.url}/v1/mind/chat`, student, before.at(-1)?.id ?? '');

    expect(after.status).toBe(200);
    expect(after.frames[0] && seqOf(after.frames[0])).toBe(5);
    expectWhole(before, after.frames);
  });

  it('resumes on another API process while the answer is still streaming, live to the end', async () => {
    const student = await studentOf(test);
    const before = await cutAfter(`${one.url}/v1/mind/chat`, student, 3, { body: 'Explain diffusion' });

    const after = await resume(`${two.url}/v1/mind/chat`, student, before.at(-1)?.id ?? '');

    expect(after.status).toBe(200);
    expectWhole(before, after.frames);
    // It resumed before the answer had ended: some frames came live, after the reconnection.
    expect(after.frames.at(-1)?.at).toBeGreaterThan((after.frames[0]?.at ?? 0) + 100);
  });

  it('after the answer ended: the rest at once; the last id resumes to nothing; <id>:0 replays it all; the stored answer reads whole', async () => {
    const student = await studentOf(test);
    const before = await cutAfter(`${one.url}/v1/mind/chat`, student, 2, { body: 'Explain turgor' });
    await test.work.idle();
    const streamId = streamIdOf(before[0] as StreamFrame);

    const rest = await resume(`${two.url}/v1/mind/chat`, student, `${streamId}:2`);
    expectWhole(before, rest.frames);
    const last = rest.frames.at(-1)?.id ?? '';
    expect(await resume(`${two.url}/v1/mind/chat`, student, last)).toMatchObject({ status: 200, frames: [] });
    const whole = await resume(`${one.url}/v1/mind/chat`, student, `${streamId}:0`);
    expectWhole([], whole.frames);

    const conversationId = (before[0]?.data as { conversation_id?: string } | undefined)?.conversation_id;
    const stored = await student.get(`/v1/mind/conversations/${conversationId}`);
    expect(stored.body.data.messages[0]).toMatchObject({ role: 'assistant', content: ANSWER });
  });
});

describe('resuming /v1/sessions/{id}/messages', () => {
  it('resumes a cut reply on another process; the reply is whole in the transcript', async () => {
    const student = await studentOf(test);
    const sessionId = await textSession(student);
    const url = `/v1/sessions/${sessionId}/messages`;
    const before = await cutAfter(`${one.url}${url}`, student, 5, { body: 'Tell me about your thirst' });

    const after = await resume(`${two.url}${url}`, student, before.at(-1)?.id ?? '');

    expect(after.status).toBe(200);
    expectWhole(before, after.frames);
    await test.work.idle();
    const turns = await loadTranscript(test.db.db, sessionId);
    expect(turns.map((t) => [t.role, t.content])).toEqual([
      ['user', 'Tell me about your thirst'],
      ['assistant', ANSWER],
    ]);
  });
});

describe('who may resume what', () => {
  const chatStream = async (student: Student) => {
    const frames = await cutAfter(`${one.url}/v1/mind/chat`, student, 2, { body: 'Explain enzymes' });
    await test.work.idle();
    return frames[1]?.id ?? '';
  };

  it("answers 404 for another student's stream, another tenant's, an unknown one, and one resumed at the wrong endpoint or session", async () => {
    const owner = await studentOf(test);
    const id = await chatStream(owner);
    const sessionId = await textSession(owner);
    const reply = await cutAfter(`${one.url}/v1/sessions/${sessionId}/messages`, owner, 2, { body: 'Hello' });
    await test.work.idle();
    const otherSession = await textSession(owner, (await insertCaseStudy(test.db.db, test.tenant.id)).id);
    const classmate = await studentOf(test);
    const foreign = await insertTenant(test.db.db);
    const outsider = {
      token: await tokenFor({ userId: owner.caller.userId, tenantId: foreign.id, role: 'student' }),
    };
    const notFound = { success: false, error: { code: 'NOT_FOUND' } };

    for (const [url, who, lastEventId] of [
      [`${one.url}/v1/mind/chat`, classmate, id],
      [`${two.url}/v1/mind/chat`, outsider, id],
      [`${one.url}/v1/mind/chat`, owner, '00000000-0000-4000-8000-000000000000:1'],
      [`${one.url}/v1/sessions/${sessionId}/messages`, owner, id],
      [`${one.url}/v1/mind/chat`, owner, reply[1]?.id ?? ''],
      [`${one.url}/v1/sessions/${otherSession}/messages`, owner, reply[1]?.id ?? ''],
      [`${one.url}/v1/sessions/not-a-session/messages`, owner, reply[1]?.id ?? ''],
    ] as const) {
      const answer = await resume(url, who as Student, lastEventId);
      expect(answer.status, `${url} ${lastEventId}`).toBe(404);
      expect(answer.body).toMatchObject(notFound);
    }
    // The owner can.
    expect((await resume(`${two.url}/v1/mind/chat`, owner, id)).status).toBe(200);
  });

  it('answers 422 VALIDATION_ERROR for a missing or malformed Last-Event-ID and one past the end of the answer', async () => {
    const student = await studentOf(test);
    const id = await chatStream(student);
    const streamId = id.split(':')[0];
    const missing = await fetch(`${one.url}/v1/mind/chat`, { headers: auth(student) });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    for (const bad of [
      '12',
      `${streamId}`,
      `${streamId}:-1`,
      `${streamId}:x`,
      'not-a-uuid:3',
      `${streamId}:99999999999`,
    ]) {
      const answer = await resume(`${one.url}/v1/mind/chat`, student, bad);
      expect(answer.status, bad).toBe(422);
      expect(answer.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    }
    const past = await resume(`${one.url}/v1/mind/chat`, student, `${streamId}:500`);
    expect(past.status).toBe(422);
    expect(past.body.error.details.last_event_id).toMatch(new RegExp(`^${streamId}:\\d+$`));
  });
});

describe('streams whose writer is gone, and old streams', () => {
  it('ends a resumed stream that stopped mid-answer with an error frame after the stall time', async () => {
    const student = await studentOf(test);
    const streamId = '11111111-2222-4333-8444-555555555555';
    const { tenantId, userId } = student.caller;
    await test.db.sql`
      insert into event_streams (id, tenant_id, user_id, endpoint, last_seq, finished, updated_at)
      values (${streamId}, ${tenantId}, ${userId}, 'chat', 2, false, now() - interval '1 hour')`;
    await test.db.sql`
      insert into event_stream_frames (stream_id, seq, event, data) values
        (${streamId}, 1, 'meta', '{"conversation_id":"c","action":"explain-concept","confidence":1}'),
        (${streamId}, 2, 'delta', '{"text":"Half an"}')`;

    const after = await resume(`${two.url}/v1/mind/chat`, student, `${streamId}:1`);

    expect(after.frames.map((f) => [f.id, f.event])).toEqual([
      [`${streamId}:2`, 'delta'],
      [`${streamId}:2`, 'error'],
    ]);
    expect(after.frames[1]?.data).toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('deletes streams past the retention when a process starts its first stream', async () => {
    const fresh = await buildTestApp({ models, env: { ...env, STREAM_REPLAY_RETENTION_SECONDS: '600' } });
    const student = await studentOf(fresh);
    const old = '99999999-2222-4333-8444-555555555555';
    await fresh.db.sql`
      insert into event_streams (id, tenant_id, user_id, endpoint, last_seq, finished, created_at)
      values (${old}, ${student.caller.tenantId}, ${student.caller.userId}, 'chat', 0, true, now() - interval '11 minutes')`;
    const served = await listen(fresh.app);
    try {
      const frames = await cutAfter(`${served.url}/v1/mind/chat`, student, 1, { body: 'Explain cells' });
      await fresh.work.idle();
      const left = await fresh.db.sql`select id from event_streams order by created_at`;
      expect(left.map((r) => r.id)).toEqual([streamIdOf(frames[0] as StreamFrame)]);
      expect((await resume(`${served.url}/v1/mind/chat`, student, `${old}:0`)).status).toBe(404);
    } finally {
      served.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('documents both resuming GETs with their Last-Event-ID header, and the frame ids on both POSTs', async () => {
    const { body: doc } = await send(test.app, 'GET', '/openapi.json');
    for (const path of ['/v1/mind/chat', '/v1/sessions/{session_id}/messages']) {
      const resume = doc.paths[path].get;
      expect(resume.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'last-event-id', required: true })]),
      );
      expect(Object.keys(resume.responses).sort()).toEqual(['200', '401', '403', '404', '422', '503']);
      expect(resume.responses['200'].content).toHaveProperty('text/event-stream');
      expect(doc.paths[path].post.description).toContain('Last-Event-ID');
    }
  });
});
