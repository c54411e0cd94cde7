import { ConnectionQuality, RoomEvent } from '@livekit/rtc-node';
import { connect, endSession, loadTranscript, sessions } from '@sp/db';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ActiveTimer } from '../src/active-timer.js';
import { GOODBYE_LINE, leavingSoonLine } from '../src/agent.js';
import { eventually, say, silentLogger, sleep, startTestJob } from './support/patient-harness.js';

const test = await createTestDatabase();

async function newSession(fields: Partial<typeof sessions.$inferInsert> = {}) {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id, ...fields });
}

async function row(id: string) {
  const [found] = await test.db.select().from(sessions).where(eq(sessions.id, id));
  if (!found) throw new Error('session vanished');
  return found;
}

async function gradingJobs(sessionId: string) {
  const [{ n } = { n: -1 }] =
    await test.sql`select count(*)::int as n from pgboss.job where name = 'grading' and data->>'sessionId' = ${sessionId}`;
  return n;
}

describe('the active timer', () => {
  it('marks the session active on first contact and persists the running total on each heartbeat', async () => {
    const session = await newSession({ status: 'pending' });
    const { call } = await startTestJob(test.db, session, { heartbeatMs: 200 });

    const first = await row(session.id);
    expect(first.status).toBe('active');
    expect(first.startTime).toBeInstanceOf(Date);
    const beats = await eventually(async () => {
      const later = await row(session.id);
      expect(later.lastActivity?.getTime()).toBeGreaterThan((first.lastActivity?.getTime() ?? 0) + 500);
      return later;
    });
    expect(beats.elapsedActiveTime).toBeGreaterThan(0.4);
    await call.shutdown('test over');
  });

  it('at zero: warns first, says goodbye as the last turn, ends timer_expired with one grading job and deletes the room', async () => {
    const session = await newSession({ durationLimit: 3 });
    const { call, fake, livekit } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      warningBeforeEndMs: 1_000,
      responses: [{ input: 'Is it serious?', content: 'I hope not.' }],
    });
    await say(call, 'Is it serious?');

    expect(await call.finished).toEqual({ kind: 'timer_expired' });

    const ended = await row(session.id);
    expect(ended).toMatchObject({ status: 'ended', endReason: 'timer_expired', connectedSince: null });
    expect(ended.elapsedActiveTime).toBeGreaterThanOrEqual(2.5);
    expect(ended.elapsedActiveTime).toBeLessThanOrEqual(3);
    expect(await gradingJobs(session.id)).toBe(1);
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.at(-1)).toMatchObject({ role: 'assistant', content: GOODBYE_LINE });
    expect(turns.map((t) => t.content)).toContain(leavingSoonLine(1));
    expect(turns.map((t) => t.sequence)).toEqual(turns.map((_, i) => i + 1));
    const deletions = livekit.callsTo('DeleteRoom').filter((c) => c.body.room === session.roomName);
    expect(deletions).toHaveLength(1);
    expect(deletions[0]?.status).toBe(200);
    expect(deletions[0]?.claims?.video?.roomCreate).toBe(true);
    expect(fake.shutdowns).toEqual(['timer_expired']);
  });

  it("with pauseOnLostConnection, stops the clock while the student's connection is lost, and restarts it on its return", async () => {
    const session = await newSession();
    const { call, fake } = await startTestJob(test.db, session, { heartbeatMs: 200, pauseOnLostConnection: true });
    const quality = (q: ConnectionQuality) =>
      fake.room.emit(RoomEvent.ConnectionQualityChanged, q, { identity: `user-${session.userId}`, attributes: {} });
    await sleep(500);

    quality(ConnectionQuality.QUALITY_LOST);
    const paused = await eventually(async () => {
      const r = await row(session.id);
      expect(r.connectedSince).toBeNull();
      return r;
    });
    await sleep(800);
    expect((await row(session.id)).elapsedActiveTime).toBe(paused.elapsedActiveTime);

    quality(ConnectionQuality.QUALITY_GOOD);
    await eventually(async () => expect((await row(session.id)).connectedSince).toBeInstanceOf(Date));
    expect((await row(session.id)).status).toBe('active');
    await call.shutdown('test over');
  });

  it('stops the clock while the student is disconnected and resumes it when they return', async () => {
    const session = await newSession();
    let connectedMs = 0;
    let since = Date.now();
    const { call, fake } = await startTestJob(test.db, session, { heartbeatMs: 200 });
    await sleep(1_000);
    fake.studentLeaves();
    connectedMs += Date.now() - since;
    const paused = await eventually(async () => {
      const r = await row(session.id);
      expect(r.connectedSince).toBeNull();
      return r;
    });
    await sleep(1_200);
    expect((await row(session.id)).elapsedActiveTime).toBe(paused.elapsedActiveTime);
    expect(paused.status).toBe('active');
    expect(paused.lastDisconnectAt).toBeInstanceOf(Date);

    since = Date.now();
    fake.studentReturns();
    await sleep(1_000);
    fake.studentLeaves();
    connectedMs += Date.now() - since;
    const closed = await eventually(async () => {
      const r = await row(session.id);
      expect(r.connectedSince).toBeNull();
      expect(r.lastDisconnectAt?.getTime()).toBeGreaterThan(paused.lastDisconnectAt?.getTime() ?? 0);
      return r;
    });

    expect(Math.abs(closed.elapsedActiveTime - connectedMs / 1000)).toBeLessThanOrEqual(0.5);
    expect(closed.status).toBe('active');
    await call.shutdown('test over');
  });

  it('after a crash, loses at most one heartbeat of active time and none of the committed turns', async () => {
    const session = await newSession();
    const heartbeatMs = 500;
    const doomed = connect(test.url, { max: 2, applicationName: 'doomed-worker' });
    const startedAt = Date.now();
    const first = await startTestJob(doomed.db, session, {
      heartbeatMs,
      responses: [
        { input: 'Any pain?', content: 'In my side.' },
        { input: 'Since when?', content: 'Since Monday.' },
      ],
    });
    await say(first.call, 'Any pain?');
    await say(first.call, 'Since when?');
    await first.call.recorder.flush();
    const openedAt = (await row(session.id)).lastActivity?.getTime() ?? 0;
    await eventually(async () => {
      const r = await row(session.id);
      expect(r.lastActivity?.getTime()).toBeGreaterThanOrEqual(openedAt + 3 * heartbeatMs - 100);
    });

    // The worker dies: no more writes of any kind from it.
    first.call.timer.stop();
    await doomed.close();
    const crashedAt = Date.now();
    await first.call.session.close();
    await sleep(1_500);

    const second = await startTestJob(test.db, session, {
      heartbeatMs,
      responses: [{ input: 'Still there?', content: 'Yes, sorry.' }],
    });
    const truth = (crashedAt - startedAt) / 1000;
    const resumed = await row(session.id);
    expect(resumed.segmentBase).toBeLessThanOrEqual(truth);
    expect(truth - resumed.segmentBase).toBeLessThanOrEqual(heartbeatMs / 1000 + 0.3);

    await say(second.call, 'Still there?');
    await second.call.recorder.flush();
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.sequence, t.content]).slice(1)).toEqual([
      [2, 'Any pain?'],
      [3, 'In my side.'],
      [4, 'Since when?'],
      [5, 'Since Monday.'],
      [6, 'Still there?'],
      [7, 'Yes, sorry.'],
    ]);
    await second.call.shutdown('test over');
  });

  it("leaves cleanly when the API's /end arrives mid-turn, without touching the ended session", async () => {
    const session = await newSession();
    const { call, fake, livekit } = await startTestJob(test.db, session, {
      heartbeatMs: 200,
      responses: [{ input: 'Tell me more', content: 'Well, it started...', ttft: 1_500 }],
    });
    const turn = call.session.run({ userInput: 'Tell me more' });
    await sleep(200);
    await endSession(test.db, session.id, 'user_ended');
    const endedRow = await row(session.id);

    expect(await call.finished).toMatchObject({ kind: 'ended_elsewhere' });
    await turn.wait().catch(() => {});

    expect(fake.shutdowns).toEqual(['ended_elsewhere']);
    expect(await row(session.id)).toEqual(endedRow);
    expect(await gradingJobs(session.id)).toBe(1);
    expect(livekit.callsTo('DeleteRoom').filter((c) => c.body.room === session.roomName)).toHaveLength(0);
    expect((await loadTranscript(test.db, session.id)).map((t) => t.content)).toContain('Tell me more');
  });

  it('on a graceful shutdown, closes the running segment and keeps the session active', async () => {
    const session = await newSession();
    const { call, fake } = await startTestJob(test.db, session, { heartbeatMs: 200 });
    await sleep(600);

    expect(await call.shutdown('worker draining')).toEqual({ kind: 'shutdown', reason: 'worker draining' });

    const after = await row(session.id);
    expect(after).toMatchObject({ status: 'active', connectedSince: null });
    expect(after.elapsedActiveTime).toBeGreaterThan(0.4);
    expect(fake.shutdowns).toEqual([]);
  });

  it('tells an open segment apart from a session that is gone, and a stopped timer from both', async () => {
    const session = await newSession({ status: 'pending' });
    const gone: string[] = [];
    const timerFor = () =>
      new ActiveTimer(
        test.db,
        { sessionId: session.id, roomName: session.roomName },
        { heartbeatMs: 200, warningBeforeEndMs: 0 },
        { onWarning: () => {}, onExpired: () => {}, onGone: (reason) => gone.push(reason) },
        silentLogger,
      );
    const timer = timerFor();

    expect(await timer.connect()).toMatchObject({ kind: 'opened', session: { status: 'active' } });
    expect(await timer.connect()).toEqual({ kind: 'already_connected' });
    expect(gone).toEqual([]);
    timer.stop();
    expect(await timer.connect()).toEqual({ kind: 'stopped' });

    await endSession(test.db, session.id, 'user_ended');
    expect(await timerFor().connect()).toEqual({ kind: 'gone', reason: 'session ended (user_ended)' });
    expect(gone).toEqual(['session ended (user_ended)']);
  });
});
