import { serve } from '@hono/node-server';
import { deltaEventSchema, MESSAGE_BODY_MAX, sessionDoneEventSchema, sessionMetaEventSchema } from '@sp/core';
import { closeSegment, loadTranscript, openSegment, sessions } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { gradingConfig, startGradingConsumer } from '@sp/grading';
import { modelConfig, modelProvider } from '@sp/models';
import { compilePersona, PATIENT_GOODBYE_LINE } from '@sp/persona';
import { collectEventStream, readEventStream, type StreamFrame, startOpenAIServer } from '@sp/testkit';
import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app.js';
import { type Answer, buildTestApp, gradingJobs, send, studentOf, type TestApp, tokenFor } from './support.js';

const model = await startOpenAIServer();
afterAll(() => model.close());
const models = modelProvider(modelConfig({ OPENAI_BASE_URL: model.baseURL, PATIENT_MODEL: 'patient-test' }));
const test = await buildTestApp({ models });

const REPLY = "I've been so tired, doctor, and I'm always thirsty.";
beforeEach(() => {
  model.reset();
  model.onChat(() => ({ content: REPLY }));
});

const LONG_REPLY = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const slowModel = await startOpenAIServer({ chunkDelayMs: 25 });
afterAll(() => slowModel.close());
const streaming = await buildTestApp({
  models: modelProvider(modelConfig({ OPENAI_BASE_URL: slowModel.baseURL })),
});
const server = await new Promise<{ url: string; close: () => void }>((resolve) => {
  const s = serve({ fetch: streaming.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
  );
});
afterAll(() => server.close());
/** No model endpoint: the offline patient and the heuristic grader. */
const offline = await buildTestApp();

type Student = Awaited<ReturnType<typeof studentOf>>;

async function say(
  app: App,
  student: Student,
  sessionId: string,
  body: string,
): Promise<Answer & { frames: StreamFrame[] }> {
  const res = await app.request(`/v1/sessions/${sessionId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
  });
  if (res.status !== 200) return { status: res.status, frames: [], body: await res.json() };
  return { status: 200, frames: await collectEventStream(res), body: null };
}

async function textSession(on: TestApp, student: Student, contentId = on.caseStudy.id) {
  const { status, body } = await send(on.app, 'POST', '/v1/sessions/initialize', {
    token: student.token,
    json: { content_id: contentId, channel: 'text' },
  });
  expect(status).toBe(200);
  return body.data as { session: { id: string }; room_name: string | null };
}

const names = (frames: StreamFrame[]) => frames.map((f) => f.event);
const deltas = (frames: StreamFrame[]) =>
  frames
    .filter((f) => f.event === 'delta')
    .map((f) => (f.data as { text: string }).text)
    .join('');
const doneOf = (frames: StreamFrame[]) => sessionDoneEventSchema.parse(frames.find((f) => f.event === 'done')?.data);
const metaOf = (frames: StreamFrame[]) => sessionMetaEventSchema.parse(frames.find((f) => f.event === 'meta')?.data);

/**
 * `seconds` pass for the session without waiting: its timestamps move that far
 * into the past. (The clock writes at the database's now(), so the session's
 * own past is what a test can move.)
 */
async function passes(on: TestApp, sessionId: string, seconds: number) {
  const back = sql`make_interval(secs => ${seconds})`;
  await on.db.db
    .update(sessions)
    .set({
      createdAt: sql`${sessions.createdAt} - ${back}`,
      roomOpenedAt: sql`${sessions.roomOpenedAt} - ${back}`,
      startTime: sql`${sessions.startTime} - ${back}`,
      lastActivity: sql`${sessions.lastActivity} - ${back}`,
      lastDisconnectAt: sql`${sessions.lastDisconnectAt} - ${back}`,
    })
    .where(eq(sessions.id, sessionId));
}

async function rowOf(on: TestApp, sessionId: string) {
  const [row] = await on.db.db.select().from(sessions).where(eq(sessions.id, sessionId));
  return row;
}

describe('POST /v1/sessions/{session_id}/messages', () => {
  it('starts by text with no LiveKit room, and stores each exchange as the next transcript rows', async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    // No room was opened, so there is nothing to join: no URL, room or token (docs/sessions.md).
    expect(started).toMatchObject({ server_url: null, room_name: null, participant_token: null, expires_at: null });
    expect(test.livekit.rooms.has((await rowOf(test, started.session.id))?.roomName ?? '')).toBe(false);

    const first = await say(test.app, student, started.session.id, 'Hello, what brings you in today?');
    const second = await say(test.app, student, started.session.id, 'How long has this been going on?');

    expect(names(first.frames)[0]).toBe('meta');
    expect(names(first.frames).at(-1)).toBe('done');
    expect(
      names(first.frames)
        .slice(1, -1)
        .every((n) => n === 'delta'),
    ).toBe(true);
    for (const frame of first.frames.filter((f) => f.event === 'delta')) deltaEventSchema.strict().parse(frame.data);
    expect(sessionMetaEventSchema.strict().parse(first.frames[0]?.data)).toEqual({
      session_id: started.session.id,
      sequence: 1,
      engine: 'model',
    });
    expect(sessionDoneEventSchema.strict().parse(first.frames.at(-1)?.data)).toMatchObject({
      session_id: started.session.id,
      sequence: 2,
      status: 'active',
      end_reason: null,
      duration_limit: 600,
    });
    expect([metaOf(second.frames).sequence, doneOf(second.frames).sequence]).toEqual([3, 4]);
    expect(deltas(first.frames)).toBe(REPLY);

    const { body } = await student.get(`/v1/sessions/${started.session.id}`);
    expect(
      body.data.messages.map((m: { sequence: number; role: string; content: string }) => [
        m.sequence,
        m.role,
        m.content,
      ]),
    ).toEqual([
      [1, 'user', 'Hello, what brings you in today?'],
      [2, 'assistant', REPLY],
      [3, 'user', 'How long has this been going on?'],
      [4, 'assistant', REPLY],
    ]);
    expect(body.data).toMatchObject({ status: 'active', is_active: true });
    expect(body.data.start_time).not.toBeNull();
    expect(await rowOf(test, started.session.id)).toMatchObject({
      channel: 'text',
      patientEngine: 'model',
      textTurnStartedAt: null,
    });
  });

  it("plays the case's compiled persona on the patient model, with the transcript so far", async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    await say(test.app, student, started.session.id, 'Hello');

    await say(test.app, student, started.session.id, 'Any allergies?');

    const request = model.chatRequests().at(-1);
    expect(request?.model).toBe('patient-test');
    expect(request?.stream).toBe(true);
    expect(String(request?.messages[0]?.content).startsWith(compilePersona(test.caseStudy))).toBe(true);
    expect(request?.messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hello'],
      ['assistant', REPLY],
      ['user', 'Any allergies?'],
    ]);
  });

  it('accrues active time from turn to turn, each gap capped at TEXT_TURN_GAP_CAP_SECONDS', async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    const elapsed: number[] = [];
    for (const gapSeconds of [0, 30, 600, 5]) {
      await passes(test, started.session.id, gapSeconds);
      elapsed.push(doneOf((await say(test.app, student, started.session.id, 'And then?')).frames).elapsed_active_time);
    }
    // The first turn starts the clock; 600 s away counts as the 60 s cap. (Each gap also holds the few
    // milliseconds the turns themselves took: the clock is the database's, and it does not stand still.)
    expect(elapsed[0]).toBe(0);
    const gaps = elapsed.slice(1).map((value, i) => value - (elapsed[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(30);
    expect(gaps[0]).toBeLessThan(31);
    expect(gaps[1]).toBeCloseTo(60, 6);
    expect(gaps[2]).toBeGreaterThanOrEqual(5);
    expect(gaps[2]).toBeLessThan(6);
    const { body } = await student.get(`/v1/sessions/${started.session.id}`);
    expect(body.data.elapsed_active_time).toBe(elapsed[3]);
  });

  it('says goodbye and ends the session timer_expired when a turn uses up the time, with one grading job', async () => {
    const student = await studentOf(test);
    const shortCase = await insertCaseStudy(test.db.db, test.tenant.id, { durationLimit: 100 });
    const started = await textSession(test, student, shortCase.id);
    await say(test.app, student, started.session.id, 'Hello');
    await passes(test, started.session.id, 60);
    await say(test.app, student, started.session.id, 'Tell me more');
    const modelCalls = model.chatRequests().length;
    await passes(test, started.session.id, 60);

    const last = await say(test.app, student, started.session.id, 'Anything else?');

    expect(deltas(last.frames)).toBe(PATIENT_GOODBYE_LINE);
    expect(doneOf(last.frames)).toMatchObject({
      status: 'ended',
      end_reason: 'timer_expired',
      elapsed_active_time: 100,
    });
    expect(model.chatRequests()).toHaveLength(modelCalls);
    const turns = await loadTranscript(test.db.db, started.session.id);
    expect(turns.at(-1)).toMatchObject({ role: 'assistant', content: PATIENT_GOODBYE_LINE, sequence: 6 });
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(1);

    const after = await say(test.app, student, started.session.id, 'Wait!');
    expect(after.status).toBe(410);
    expect(after.body.error.code).toBe('SESSION_TIMER_EXPIRED');
    expect(await gradingJobs(test.db, started.session.id)).toHaveLength(1);
  });

  it('refuses text while the student is live by voice (409), then takes the session over once they left', async () => {
    const student = await studentOf(test);
    const { body } = await student.initialize({ content_id: test.caseStudy.id });
    const sessionId = body.data.session.id as string;
    const roomName = body.data.room_name as string;
    await openSegment(test.db.db, { sessionId, roomName });

    const live = await say(test.app, student, sessionId, 'Can you hear me?');

    expect(live.status).toBe(409);
    expect(live.body.error).toMatchObject({ code: 'SESSION_CHANNEL_CONFLICT', details: { channel: 'voice' } });

    await closeSegment(test.db.db, { sessionId, roomName });
    const typed = await say(test.app, student, sessionId, 'My microphone broke, can we type?');

    expect(typed.status).toBe(200);
    expect(await rowOf(test, sessionId)).toMatchObject({ channel: 'text', connectedSince: null });
    await vi.waitFor(() => expect(test.livekit.rooms.has(roomName)).toBe(false));
    // The voice worker cannot pick the session back up; a resume brings it back to voice.
    expect(await openSegment(test.db.db, { sessionId, roomName })).toBeNull();
    const resumed = await student.initialize({ content_id: test.caseStudy.id, session_id: sessionId });
    expect(resumed.status).toBe(200);
    expect(await rowOf(test, sessionId)).toMatchObject({ channel: 'voice', reconnectCount: 1 });
  });

  it('takes one turn at a time: a message while the reply is still coming gets 409 SESSION_BUSY', async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    model.reply({ content: REPLY, delayMs: 400 });

    const slow = await test.app.request(`/v1/sessions/${started.session.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'First question' }),
    });
    const meanwhile = await say(test.app, student, started.session.id, 'Second question');
    await collectEventStream(slow);
    const afterwards = await say(test.app, student, started.session.id, 'Second question');

    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body.error.code).toBe('SESSION_BUSY');
    expect(afterwards.status).toBe(200);
    expect((await loadTranscript(test.db.db, started.session.id)).map((t) => t.sequence)).toEqual([1, 2, 3, 4]);
  });

  it('reports a model failure with an error frame, keeps the question, and frees the turn for a retry', async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    model.reply({ error: { status: 500, message: 'boom' } });

    const failed = await say(test.app, student, started.session.id, 'Any allergies?');
    const retried = await say(test.app, student, started.session.id, 'Any allergies?');

    expect(names(failed.frames)).toEqual(['meta', 'error', 'done']);
    expect(failed.frames[1]?.data).toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(doneOf(failed.frames)).toMatchObject({ sequence: null, status: 'active' });
    expect(retried.status).toBe(200);
    const turns = await loadTranscript(test.db.db, started.session.id);
    expect(turns.map((t) => [t.sequence, t.role])).toEqual([
      [1, 'user'],
      [2, 'user'],
      [3, 'assistant'],
    ]);
  });

  it('answers 410 for an ended session and 404 for anyone else, and validates the body', async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    const otherTenant = await insertTenant(test.db.db);
    const strangers = [
      await studentOf(test),
      {
        ...student,
        token: await tokenFor({ userId: student.caller.userId, tenantId: otherTenant.id, role: 'student' }),
      },
    ];

    for (const stranger of strangers) {
      const answer = await say(test.app, stranger, started.session.id, 'Hello');
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
    }
    expect((await say(test.app, student, 'not-a-session', 'Hello')).status).toBe(404);
    for (const body of ['', 'x'.repeat(MESSAGE_BODY_MAX + 1)]) {
      const answer = await say(test.app, student, started.session.id, body);
      expect(answer.status).toBe(422);
      expect(answer.body.error.details.fields[0].field).toBe('body');
    }
    expect((await student.end(started.session.id)).status).toBe(200);
    const ended = await say(test.app, student, started.session.id, 'Hello?');
    expect(ended.status).toBe(410);
    expect(ended.body.error.code).toBe('SESSION_USER_ENDED');
    expect(await loadTranscript(test.db.db, started.session.id)).toHaveLength(0);
  });

  it('ends a session whose reconnect window passed since the last turn, with one grading job', async () => {
    const student = await studentOf(test);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: test.caseStudy.id,
      status: 'active',
      channel: 'text',
      lastActivity: new Date(Date.now() - 2 * 3600_000),
      lastDisconnectAt: new Date(Date.now() - 2 * 3600_000),
    });

    const answer = await say(test.app, student, session.id, 'Sorry, I was away');

    expect(answer.status).toBe(410);
    expect(answer.body.error.code).toBe('SESSION_CONVERSATION_TTL_EXCEEDED');
    expect(await rowOf(test, session.id)).toMatchObject({ status: 'ended', endReason: 'conversation_ttl_exceeded' });
    expect(await gradingJobs(test.db, session.id)).toHaveLength(1);
  });

  it('refuses a text resume: 422 naming channel', async () => {
    const student = await studentOf(test);
    const started = await textSession(test, student);
    const { status, body } = await student.initialize({
      content_id: test.caseStudy.id,
      session_id: started.session.id,
      channel: 'text',
    } as never);
    expect(status).toBe(422);
    expect(body.error.details.fields[0].field).toBe('channel');
  });
});

describe('a client that disconnects mid-stream', () => {
  it('still gets the whole reply stored', async () => {
    slowModel.onChat(() => ({ content: LONG_REPLY }));
    const student = await studentOf(streaming);
    const started = await textSession(streaming, student);
    const leave = new AbortController();

    const res = await fetch(`${server.url}/v1/sessions/${started.session.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Tell me everything' }),
      signal: leave.signal,
    });
    const seen: string[] = [];
    try {
      for await (const frame of readEventStream(res)) {
        seen.push(frame.event);
        if (frame.event === 'delta') leave.abort();
      }
    } catch {
      // the abort ends the read
    }
    await streaming.work.idle();

    expect(seen).toEqual(['meta', 'delta']);
    const turns = await loadTranscript(streaming.db.db, started.session.id);
    expect(turns.map((t) => [t.sequence, t.role, t.content])).toEqual([
      [1, 'user', 'Tell me everything'],
      [2, 'assistant', LONG_REPLY],
    ]);
    expect(await rowOf(streaming, started.session.id)).toMatchObject({ textTurnStartedAt: null });
  });
});

describe('the offline patient', () => {
  it('answers from the case study facts with no model configured, and the session is labelled scripted', async () => {
    const student = await studentOf(offline);
    const started = await textSession(offline, student);

    const { frames } = await say(offline.app, student, started.session.id, 'Do you have any allergies?');

    const allergies = offline.caseStudy.facts.find((f) => f.id === 'allergies');
    expect(metaOf(frames)).toMatchObject({ engine: 'scripted', sequence: 1 });
    expect(deltas(frames)).toBe(allergies?.content);
    expect(await rowOf(offline, started.session.id)).toMatchObject({ patientEngine: 'scripted' });
  });

  it('runs the whole loop with no keys and no LiveKit: start by text, talk, end, read the heuristic report', async () => {
    const consumer = await startGradingConsumer({
      db: offline.db.db,
      sql: offline.db.sql,
      logger: pino({ level: 'silent' }),
      config: gradingConfig({ GRADING_POLL_SECONDS: '0.5' }),
    });
    afterAll(() => consumer.stop(5_000));
    const student = await studentOf(offline);
    const started = await textSession(offline, student);
    for (const question of [
      "Hello, my name is Sam, I'm a medical student. What brings you in today?",
      'How long has this been going on?',
      'Are you taking any medications?',
      'Does anything run in the family?',
    ]) {
      const { frames } = await say(offline.app, student, started.session.id, question);
      expect(deltas(frames).length).toBeGreaterThan(0);
    }
    expect((await student.end(started.session.id)).status).toBe(200);

    const report = await student.get(
      `/v1/sessions/${started.session.id}/report?wait_for_completion=true&timeout_seconds=30`,
    );

    expect(report.status).toBe(200);
    expect(report.body.data).toMatchObject({ status: 'completed', grader: 'heuristic' });
    expect(report.body.data.score).toBeGreaterThan(0);
    const evidence = report.body.data.items.flatMap((i: { evidence: number[] }) => i.evidence);
    // Evidence points only at the student's turns (odd sequences here).
    expect(evidence.length).toBeGreaterThan(0);
    expect(evidence.every((sequence: number) => sequence % 2 === 1)).toBe(true);
  });
});

/** The patient's leaving-soon warning set to 30 s before the end (60 by default). */
const warnedEarly = await buildTestApp({ models, env: { AGENT_WARNING_BEFORE_END_SECONDS: '30' } });

describe('the leaving-soon note', () => {
  /** Did the patient's latest prompt ask it to mention that it has to leave soon? */
  const toldToLeave = () => String(model.chatRequests().at(-1)?.messages[0]?.content).includes('leave soon');

  /** Text turns `gaps` seconds apart in a 100 s case: was the patient told to leave soon, turn by turn? */
  async function notesOver(on: TestApp, gaps: number[]) {
    const student = await studentOf(on);
    const shortCase = await insertCaseStudy(on.db.db, on.tenant.id, { durationLimit: 100 });
    const started = await textSession(on, student, shortCase.id);
    const told: boolean[] = [];
    for (const gap of gaps) {
      await passes(on, started.session.id, gap);
      expect((await say(on.app, student, started.session.id, 'And then?')).status).toBe(200);
      told.push(toldToLeave());
    }
    return told;
  }

  it('comes once, in the turn that crosses the configured warning (AGENT_WARNING_BEFORE_END_SECONDS)', async () => {
    // Elapsed 0, 50 (50 s left), 75 (25 s left: inside the 30 s warning), 80.
    expect(await notesOver(warnedEarly, [0, 50, 25, 5])).toEqual([false, false, true, false]);
  });

  it('comes at the default warning (60 s before the end) when none is configured', async () => {
    // Elapsed 0, 45 (55 s left: inside the 60 s warning), 50.
    expect(await notesOver(test, [0, 45, 5])).toEqual([false, true, false]);
  });
});
