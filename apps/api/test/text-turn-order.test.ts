/**
 * Text turns under concurrency: many clients of one student typing into the
 * same session, each retrying on 409 SESSION_BUSY, must still leave a
 * transcript where every reply directly follows its question.
 */
import { loadTranscript } from '@sp/db';
import { collectEventStream } from '@sp/testkit';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf } from './support.js';

const test = await buildTestApp({ dbConnections: 30 });

const SESSIONS = 10;
const CLIENTS = 8;

async function sayUntilTaken(token: string, sessionId: string, body: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const res = await test.app.request(`/v1/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body }),
    });
    if (res.status === 200) {
      await collectEventStream(res);
      return;
    }
    expect(res.status).toBe(409);
    await res.body?.cancel();
  }
  throw new Error('the turn was never taken');
}

describe('text turns racing on one session', () => {
  it(`keeps strict question/answer alternation: ${SESSIONS} sessions x ${CLIENTS} clients retrying on 409`, async () => {
    const started = await Promise.all(
      Array.from({ length: SESSIONS }, async () => {
        const student = await studentOf(test);
        const { status, body } = await send(test.app, 'POST', '/v1/sessions/initialize', {
          token: student.token,
          json: { content_id: test.caseStudy.id, channel: 'text' },
        });
        expect(status).toBe(200);
        return { token: student.token, sessionId: body.data.session.id as string };
      }),
    );

    await Promise.all(
      started.flatMap(({ token, sessionId }) =>
        Array.from({ length: CLIENTS }, (_, client) => sayUntilTaken(token, sessionId, `question ${client}`)),
      ),
    );
    await test.work.idle();

    for (const { sessionId } of started) {
      const turns = await loadTranscript(test.db.db, sessionId);
      expect(turns.map((t) => t.sequence)).toEqual(Array.from({ length: 2 * CLIENTS }, (_, i) => i + 1));
      expect(turns.map((t) => t.role)).toEqual(
        Array.from({ length: 2 * CLIENTS }, (_, i) => (i % 2 === 0 ? 'user' : 'assistant')),
      );
    }
  }, 60_000);
});
