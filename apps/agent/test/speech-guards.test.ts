/**
 * What the patient says around the edges of a call: a line asked for while
 * the agent session is closing (say() then throws at once) never crashes the
 * job or stops the call from ending; the leaving-soon warning cannot be
 * talked over, and on a resume it comes after the patient has picked up.
 */
import { voice } from '@livekit/agents';
import { loadTranscript, sessionMessages } from '@sp/db';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { GOODBYE_LINE, leavingSoonLine, RESUME_INSTRUCTIONS } from '../src/agent.js';
import { eventually, sleep, startTestJob } from './support/patient-harness.js';
import { gradingJobs, newSession, sessionRow } from './support/session-rows.js';

const test = await createTestDatabase();

/** A reply the model is slow to start: closing the agent session mid-reply then takes about half a second. */
const SLOW_ANSWER = { input: 'Go on', content: 'Well.', ttft: 4_000 };

/** Sleeps until `ms` before the clock of a session that just connected reaches `durationLimit`. */
async function untilBeforeEnd(sessionId: string, durationLimit: number, ms: number) {
  const connected = await eventually(async () => {
    const since = (await sessionRow(test.db, sessionId)).connectedSince;
    expect(since).toBeInstanceOf(Date);
    return since?.getTime() ?? 0;
  });
  await sleep(connected + durationLimit * 1000 - ms - Date.now());
}

/** What escapes to the process (a throw in a timer would crash the job process) while `run` runs. */
async function uncaughtDuring(run: () => Promise<unknown>): Promise<unknown[]> {
  const thrown: unknown[] = [];
  const record = (error: unknown) => thrown.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await run();
    await sleep(100);
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  return thrown;
}

describe('a line asked for while the agent session closes', () => {
  it('time up while the framework closes the session: no goodbye, the session still ends timer_expired', async () => {
    const session = await newSession(test.db, { durationLimit: 2 });
    const { call, livekit } = await startTestJob(test.db, session, { heartbeatMs: 200, responses: [SLOW_ANSWER] });
    void call.session
      .run({ userInput: 'Go on' })
      .wait()
      .catch(() => {});
    await untilBeforeEnd(session.id, 2, 250);

    const closing = call.session.close();

    expect(await call.finished).toEqual({ kind: 'timer_expired' });
    await closing;
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'ended', endReason: 'timer_expired' });
    expect(await gradingJobs(test, session.id)).toBe(1);
    expect((await loadTranscript(test.db, session.id)).map((t) => t.content)).not.toContain(GOODBYE_LINE);
    expect(livekit.callsTo('DeleteRoom').filter((c) => c.body.room === session.roomName)).toHaveLength(1);
  });

  it('the leaving-soon warning due while the framework closes the session: nothing thrown, the call ends', async () => {
    const session = await newSession(test.db, { durationLimit: 3 });
    const { call } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      warningBeforeEndMs: 1_000,
      responses: [SLOW_ANSWER],
    });
    void call.session
      .run({ userInput: 'Go on' })
      .wait()
      .catch(() => {});
    await untilBeforeEnd(session.id, 3, 1_250);

    const thrown = await uncaughtDuring(() => call.session.close());

    expect(thrown).toEqual([]);
    expect(await call.finished).toEqual({ kind: 'session_closed', reason: 'user_initiated' });
    expect((await loadTranscript(test.db, session.id)).map((t) => t.content)).not.toContain(leavingSoonLine(1));
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'active', connectedSince: null });
  });
});

describe('the leaving-soon warning', () => {
  it('cannot be talked over', async () => {
    const session = await newSession(test.db, { durationLimit: 2 });
    const { call } = await startTestJob(test.db, session, { heartbeatMs: 200, warningBeforeEndMs: 1_000 });
    const spoken: voice.SpeechHandle[] = [];
    call.session.on(voice.AgentSessionEventTypes.SpeechCreated, (ev) => spoken.push(ev.speechHandle));

    expect(await call.finished).toEqual({ kind: 'timer_expired' });

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => t.content).slice(1)).toEqual([leavingSoonLine(1), GOODBYE_LINE]);
    expect(spoken.map((handle) => handle.allowInterruptions)).toEqual([false, false]);
  });

  it('on a resume with less than the warning time left, comes after the patient picks up the talk', async () => {
    const session = await newSession(test.db, { durationLimit: 4, elapsedActiveTime: 3.5, status: 'active' });
    await test.db.insert(sessionMessages).values([
      { sessionId: session.id, sequence: 1, role: 'assistant', content: 'Hello doctor.' },
      { sessionId: session.id, sequence: 2, role: 'user', content: 'Any fever?' },
    ]);
    const { call } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      warningBeforeEndMs: 60_000,
      responses: [
        { input: `instructions:${RESUME_INSTRUCTIONS}`, content: 'Sorry, the line went quiet. No fever.', ttft: 100 },
      ],
    });

    expect(await call.finished).toEqual({ kind: 'timer_expired' });

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => t.content).slice(2)).toEqual([
      'Sorry, the line went quiet. No fever.',
      leavingSoonLine(1),
      GOODBYE_LINE,
    ]);
  });
});
