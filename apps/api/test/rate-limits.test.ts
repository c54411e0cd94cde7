/**
 * Rate limits per user and route family, across two API processes sharing one
 * database: N requests pass, the next answers 429 RATE_LIMITED with
 * Retry-After and the error envelope, whichever process it reaches.
 */
import { collectEventStream } from '@sp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { apiConfig } from '../src/config.js';
import { BackgroundWork } from '../src/http/background-work.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { type Answer, buildTestApp, send, studentOf } from './support.js';

const WINDOW = 60;
/** The shared clock, 15 s into a window: a refusal waits 45 s. */
const windowStart = Math.ceil(Date.now() / (WINDOW * 1000)) * WINDOW * 1000;
let clock = windowStart + 15_000;
const limits = {
  RATE_LIMIT_WINDOW_SECONDS: String(WINDOW),
  RATE_LIMIT_SESSION_STARTS: '3',
  RATE_LIMIT_TEXT_TURNS: '2',
  RATE_LIMIT_STUDY_ASSISTANT: '2',
};
const test = await buildTestApp({ env: limits, now: () => new Date(clock) });
// A second API process on the same database.
const secondWork = new BackgroundWork();
const second = createApp({
  db: test.db.db,
  config: apiConfig({ ...limits, NODE_ENV: 'test', LOG_LEVEL: 'silent', LIVEKIT_URL: test.config.LIVEKIT_URL }),
  livekit: liveKitRooms(test.config),
  work: secondWork,
  now: () => new Date(clock),
});
afterAll(() => secondWork.idle());
const apps = [test.app, second];

function expectLimited(answer: Answer & { retryAfter: string | null }, family: string, limit: number) {
  expect(answer.status).toBe(429);
  expect(answer.retryAfter).toBe('45');
  expect(answer.body).toEqual({
    success: false,
    message: 'Too many requests; try again in 45 s',
    error: {
      code: 'RATE_LIMITED',
      details: { family, limit, window_seconds: WINDOW, retry_after_seconds: 45 },
    },
  });
}

async function post(app: (typeof apps)[number], path: string, token: string, json: unknown) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
  const retryAfter = res.headers.get('retry-after');
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    await collectEventStream(res);
    return { status: res.status, body: null, retryAfter };
  }
  return { status: res.status, body: await res.json(), retryAfter };
}

describe('rate limits across two API processes', () => {
  it('lets 3 session starts through, alternating processes, and answers the 4th 429 with Retry-After', async () => {
    const student = await studentOf(test);
    const first = await post(apps[0]!, '/v1/sessions/initialize', student.token, { content_id: test.caseStudy.id });
    expect(first.status).toBe(200);
    // Refused starts count as well: the limit is on requests.
    expect(
      (await post(apps[1]!, '/v1/sessions/initialize', student.token, { content_id: test.caseStudy.id })).status,
    ).toBe(409);
    expect(
      (await post(apps[0]!, '/v1/sessions/initialize', student.token, { content_id: test.caseStudy.id })).status,
    ).toBe(409);
    expectLimited(
      await post(apps[1]!, '/v1/sessions/initialize', student.token, { content_id: test.caseStudy.id }),
      'session_start',
      3,
    );
    // Another student, and another family, are counted apart.
    const other = await studentOf(test);
    expect(
      (await post(apps[1]!, '/v1/sessions/initialize', other.token, { content_id: test.caseStudy.id, channel: 'text' }))
        .status,
    ).toBe(200);
    expect((await student.get('/v1/sessions')).status).toBe(200);
  });

  it('counts text turns per user: 2 pass on either process, the 3rd is refused before the turn runs', async () => {
    const student = await studentOf(test);
    const started = await send(test.app, 'POST', '/v1/sessions/initialize', {
      token: student.token,
      json: { content_id: test.caseStudy.id, channel: 'text' },
    });
    const path = `/v1/sessions/${started.body.data.session.id}/messages`;
    expect((await post(apps[0]!, path, student.token, { body: 'Hello, what brings you in?' })).status).toBe(200);
    await test.work.idle();
    expect((await post(apps[1]!, path, student.token, { body: 'How long has it been?' })).status).toBe(200);
    await secondWork.idle();
    expectLimited(await post(apps[0]!, path, student.token, { body: 'Any medicines?' }), 'text_turn', 2);
    const stored = await test.db
      .sql`select count(*)::int as n from session_messages where session_id = ${started.body.data.session.id} and role = 'user'`;
    expect(stored[0]!.n).toBe(2);
  });

  it('lets exactly the limit through when requests race on both processes at once', async () => {
    const student = await studentOf(test);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(apps[i % 2]!, '/v1/mind/chat', student.token, { body: 'What is a murmur?' }),
      ),
    );
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(8);
    // No model endpoint here: the two that passed reached the route.
    expect(answers.filter((a) => a.status !== 429).map((a) => a.status)).toEqual([503, 503]);
  });

  it('lets the user in again when the next window starts, and keeps only live windows', async () => {
    const student = await studentOf(test);
    for (let i = 0; i < 2; i++) await post(apps[i % 2]!, '/v1/mind/chat', student.token, { body: 'Hi' });
    expect((await post(apps[0]!, '/v1/mind/chat', student.token, { body: 'Hi' })).status).toBe(429);
    clock += 45_000;
    expect((await post(apps[1]!, '/v1/mind/chat', student.token, { body: 'Hi' })).status).toBe(503);
    const windows = await test.db.sql`select hits from rate_limit_hits where user_id = ${student.caller.userId}`;
    expect(windows.map((w) => w.hits)).toEqual([1]);
    clock -= 45_000;
  });
});
