/**
 * An API process killed (SIGKILL) while a text reply streams: its session
 * must take the student's next message once the reply's lease runs out
 * (TEXT_REPLY_LEASE_SECONDS), not after minutes of 409 SESSION_BUSY. The
 * crashing API is a real `apps/api/src/main.ts` process; the one that takes
 * over is an in-process app on the same database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, loadTranscript } from '@sp/db';
import { freePort } from '@sp/dev-postgres';
import { createTestDatabase, insertCaseStudy, insertTenant } from '@sp/dev-postgres/testing';
import { readEventStream, startOpenAIServer } from '@sp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { apiConfig } from '../src/config.js';
import { liveKitRooms } from '../src/http/livekit.js';
import { send, tokenFor } from './support.js';

const LEASE_SECONDS = 2;
const db = await createTestDatabase();
const tenant = await insertTenant(db.db);
const caseStudy = await insertCaseStudy(db.db, tenant.id);
const token = await tokenFor({ userId: 'crash-student', tenantId: tenant.id, role: 'student' });

// A reply of 200 words at 100 ms a word: it is still streaming when its API dies.
const model = await startOpenAIServer({ chunkDelayMs: 100 });
afterAll(() => model.close());
model.onChat(() => ({ content: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ') }));

const port = await freePort();
const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let crashing: ChildProcess | null = null;
afterAll(() => crashing?.kill('SIGKILL'));

async function startApi(): Promise<string> {
  crashing = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ENV_FILE: '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      DATABASE_URL: db.url,
      GRADING_IN_API: 'false',
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'test',
      TEXT_REPLY_LEASE_SECONDS: String(LEASE_SECONDS),
      LIVEKIT_URL: 'ws://127.0.0.1:9',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the API did not come up');
}

/** The API that carries on, on the same database with the same lease. */
const survivor = connect(db.url, { max: 5 });
afterAll(() => survivor.close());
const config = apiConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  TEXT_REPLY_LEASE_SECONDS: String(LEASE_SECONDS),
  LIVEKIT_URL: 'ws://127.0.0.1:9',
});
const app = createApp({ db: survivor.db, config, livekit: liveKitRooms(config) });

describe('an API killed mid-reply', () => {
  it(`frees the session within its ${LEASE_SECONDS} s reply lease, not after minutes of 409`, async () => {
    const url = await startApi();
    const started = await send(app, 'POST', '/v1/sessions/initialize', {
      token,
      json: { content_id: caseStudy.id, channel: 'text' },
    });
    expect(started.status).toBe(200);
    const sessionId: string = started.body.data.session.id;

    const res = await fetch(`${url}/v1/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'What brings you in?' }),
    });
    expect(res.status).toBe(200);
    let deltas = 0;
    for await (const frame of readEventStream(res)) {
      if (frame.event === 'delta' && ++deltas === 30) break; // 3 s in: past the lease, renewed meanwhile
    }
    crashing?.kill('SIGKILL');
    const killedAt = performance.now();

    let answer = await send(app, 'POST', `/v1/sessions/${sessionId}/messages`, { token, json: { body: 'Hello?' } });
    const statuses = [answer.status];
    while (answer.status === 409 && performance.now() - killedAt < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await send(app, 'POST', `/v1/sessions/${sessionId}/messages`, { token, json: { body: 'Hello?' } });
      statuses.push(answer.status);
    }
    const recovered = (performance.now() - killedAt) / 1000;
    console.log(`mid-reply crash: the next message was taken ${recovered.toFixed(2)} s after the kill`);

    // Busy while the lease was still fresh (it was renewed as the reply streamed), then taken.
    expect(statuses[0]).toBe(409);
    expect(answer.status).toBe(200);
    expect(recovered).toBeLessThan(LEASE_SECONDS + 1);
    const turns = await loadTranscript(db.db, sessionId);
    expect(turns.map((t) => [t.role, t.content.slice(0, 6)])).toEqual([
      ['user', 'What b'],
      ['user', 'Hello?'],
      ['assistant', expect.any(String)],
    ]);
  }, 60_000);
});
