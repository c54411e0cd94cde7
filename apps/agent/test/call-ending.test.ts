import { voice } from '@livekit/agents';
import { endSession, loadTranscript, sessions } from '@sp/db';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { eventually, sleep, startTestJob } from './support/patient-harness.js';
import { gradingJobs, newSession, sessionRow } from './support/session-rows.js';
import { fakeLLM } from './support/text-mode.js';

const test = await createTestDatabase();

/** An answer that takes about three seconds to speak. */
const LONG_ANSWER = {
  input: 'Tell me more',
  content: 'Well, it started on a Monday, and by the end of the week I could hardly get out of bed.',
  ttft: 50,
  duration: 3_000,
};

describe('ending a call mid-reply', () => {
  it('on a shutdown, stores the reply being spoken as interrupted, after the question', async () => {
    const session = await newSession(test.db);
    const { call } = await startTestJob(test.db, session, { responses: [LONG_ANSWER] });
    const turn = call.session.run({ userInput: 'Tell me more' });
    await sleep(500);

    await call.shutdown('worker draining');
    await turn.wait().catch(() => {});

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.slice(1).map((t) => [t.sequence, t.role, t.content, t.interrupted])).toEqual([
      [2, 'user', 'Tell me more', false],
      [3, 'assistant', expect.any(String), true],
    ]);
    expect(LONG_ANSWER.content.startsWith(turns[2]?.content ?? '-')).toBe(true);
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'active', connectedSince: null });
  });

  it("when the API's /end arrives mid-reply, stores the reply being spoken as interrupted and leaves", async () => {
    const session = await newSession(test.db);
    const { call, fake } = await startTestJob(test.db, session, { heartbeatMs: 200, responses: [LONG_ANSWER] });
    const turn = call.session.run({ userInput: 'Tell me more' });
    await sleep(500);

    await endSession(test.db, session.id, 'user_ended');

    expect(await call.finished).toEqual({ kind: 'ended_elsewhere', reason: 'session ended (user_ended)' });
    await turn.wait().catch(() => {});
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.at(-1)).toMatchObject({ role: 'assistant', interrupted: true });
    expect(turns.map((t) => t.sequence)).toEqual([1, 2, 3]);
    expect(fake.shutdowns).toEqual(['ended_elsewhere']);
    expect(await gradingJobs(test, session.id)).toBe(1);
  });
});

describe('the call leaving the room', () => {
  it('when the framework closes the agent session, ends as session_closed, stops the clock and leaves the room', async () => {
    const session = await newSession(test.db);
    const { call, fake } = await startTestJob(test.db, session, { heartbeatMs: 200 });
    await sleep(500);

    // What the framework does on an unrecoverable model error, or when the job shuts down.
    await call.session.close();

    expect(await call.finished).toEqual({ kind: 'session_closed', reason: 'user_initiated' });
    expect(fake.shutdowns).toEqual(['session_closed']);
    const after = await sessionRow(test.db, session.id);
    expect(after).toMatchObject({ status: 'active', connectedSince: null });
    expect(after.elapsedActiveTime).toBeGreaterThan(0.3);
  });

  it.each([
    ['the channel alone', { channel: 'text' as const }],
    ['the channel with the segment closed, as a text turn does', { channel: 'text' as const, connectedSince: null }],
  ])('leaves at the next heartbeat when the session moves to the text channel (%s)', async (_, change) => {
    const session = await newSession(test.db);
    const { call, fake } = await startTestJob(test.db, session, { heartbeatMs: 200 });
    await sleep(300);

    await test.db.update(sessions).set(change).where(eq(sessions.id, session.id));
    const switched = Date.now();

    expect(await call.finished).toEqual({ kind: 'ended_elsewhere', reason: 'session moved to the text channel' });
    expect(Date.now() - switched).toBeLessThan(1_500);
    expect(fake.shutdowns).toEqual(['ended_elsewhere']);
    const left = await sessionRow(test.db, session.id);
    await sleep(500);
    expect(await sessionRow(test.db, session.id)).toEqual(left);
    expect(left.channel).toBe('text');
  });
});

describe('a student who comes and goes while the call starts', () => {
  it('keeps the clock stopped for a student who left while the pipeline started, and greets them on return', async () => {
    const session = await newSession(test.db, { status: 'pending' });
    const { call, fake } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      onSessionStart: (job) => job.studentLeaves(),
    });
    await sleep(800);

    expect(await sessionRow(test.db, session.id)).toMatchObject({
      status: 'pending',
      connectedSince: null,
      elapsedActiveTime: 0,
    });
    expect(await loadTranscript(test.db, session.id)).toEqual([]);

    fake.studentReturns();
    const greeting = await eventually(async () => {
      const [first] = await loadTranscript(test.db, session.id);
      expect(first).toBeDefined();
      return first;
    });
    expect(greeting).toMatchObject({ sequence: 1, role: 'assistant' });
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'active' });
    await call.shutdown('test over');
  });

  it('greets once and keeps the call running when the student drops and returns during start-up', async () => {
    const session = await newSession(test.db, { status: 'pending' });
    const { call, fake } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      onSessionStart: (job) => {
        job.studentLeaves();
        job.studentReturns();
      },
    });
    fake.studentReturns(); // a second arrival while connected: already connected, not gone
    await sleep(600);

    const running = await sessionRow(test.db, session.id);
    expect(running.status).toBe('active');
    expect(running.connectedSince).toBeInstanceOf(Date);
    expect(fake.shutdowns).toEqual([]);
    expect((await loadTranscript(test.db, session.id)).map((t) => t.role)).toEqual(['assistant']);
    expect(await call.shutdown('test over')).toMatchObject({ kind: 'shutdown' });
  });
});

/** An agent session whose close never finishes, as with a model or TTS that stalls. */
class StalledClose extends voice.AgentSession {
  override close(): Promise<void> {
    return new Promise(() => {});
  }
  /** The framework's own close, to clean up after the test. */
  reallyClose(): Promise<void> {
    return super.close();
  }
}

/** An agent session whose speech never plays out: its playout fails (an audio output that broke). */
class BrokenPlayout extends voice.AgentSession {
  override say(): voice.SpeechHandle {
    return { waitForPlayout: () => Promise.reject(new Error('audio output failed')) } as unknown as voice.SpeechHandle;
  }
}

describe('the wind-down when the framework misbehaves', () => {
  it('goes on without an agent session whose close hangs: the clock segment closes and the call finishes', async () => {
    const session = await newSession(test.db);
    let stalled: StalledClose | undefined;
    const { call } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      sessionCloseTimeoutMs: 300,
      startSession: async (agent) => {
        stalled = new StalledClose({ llm: fakeLLM([]) });
        await stalled.start({ agent });
        return stalled;
      },
    });
    await sleep(300);

    const outcome = await Promise.race([call.shutdown('worker draining'), sleep(5_000).then(() => 'stuck')]);

    expect(outcome).toEqual({ kind: 'shutdown', reason: 'worker draining' });
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'active', connectedSince: null });
    await stalled?.reallyClose();
  });

  it('winds the call down before a start that fails after the call exists is reported', async () => {
    const session = await newSession(test.db);
    const started = startTestJob(test.db, session, {
      heartbeatMs: 200,
      startSession: async (agent) => {
        const broken = new BrokenPlayout({ llm: fakeLLM([]) });
        await broken.start({ agent });
        return broken;
      },
    });

    await expect(started).rejects.toThrow('audio output failed');

    // Wound down already: the job may close its database now. No segment open, no heartbeat after.
    const after = await sessionRow(test.db, session.id);
    expect(after).toMatchObject({ status: 'active', connectedSince: null });
    await sleep(600);
    expect(await sessionRow(test.db, session.id)).toEqual(after);
  });
});
