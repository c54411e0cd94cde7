import { connect, loadTranscript } from '@sp/db';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { GOODBYE_LINE } from '../src/agent.js';
import { capturingLogger, eventually, sleep, startTestJob } from './support/patient-harness.js';
import { startPgProxy } from './support/pg-proxy.js';
import { gradingJobs, newSession, sessionRow } from './support/session-rows.js';

const test = await createTestDatabase();
const proxy = await startPgProxy(test.url);
const flaky = connect(proxy.url, { max: 2, applicationName: 'flaky-worker' });
afterAll(async () => {
  proxy.restore();
  await flaky.close();
  await proxy.close();
});

describe('the clock while the database is away', () => {
  it('greets at once while it retries opening the segment at first contact, instead of crashing the job', async () => {
    const session = await newSession(test.db, { status: 'pending' });
    const started = startTestJob(flaky.db, session, { heartbeatMs: 200, onSessionStart: () => proxy.cut() });
    await sleep(800);
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'pending', connectedSince: null });

    const restoredAt = Date.now();
    proxy.restore();
    const { call } = await started;

    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'active' });
    await call.recorder.flush();
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => t.role)).toEqual(['assistant']);
    // The patient spoke during the outage (the turn is stamped when the framework made it), stored once it ended.
    expect(turns[0]?.timestamp.getTime()).toBeLessThan(restoredAt);
    await call.shutdown('test over');
  });

  it('closes the segment of a student who left during the outage once it is back, as of their departure', async () => {
    const session = await newSession(test.db);
    const { call, fake } = await startTestJob(flaky.db, session, { heartbeatMs: 200 });
    const openedAt = (await sessionRow(test.db, session.id)).connectedSince?.getTime() ?? Number.NaN;
    await sleep(1_000);

    proxy.cut();
    const leftAt = Date.now();
    fake.studentLeaves();
    await sleep(1_500);
    expect((await sessionRow(test.db, session.id)).connectedSince).toBeInstanceOf(Date);

    proxy.restore();
    const closed = await eventually(async () => {
      const r = await sessionRow(test.db, session.id);
      expect(r.connectedSince).toBeNull();
      return r;
    });
    expect(Math.abs(closed.elapsedActiveTime - (leftAt - openedAt) / 1000)).toBeLessThanOrEqual(0.3);
    expect(Math.abs((closed.lastDisconnectAt?.getTime() ?? 0) - leftAt)).toBeLessThanOrEqual(300);
    expect(closed.status).toBe('active');
    await call.shutdown('test over');
  });

  it('keeps retrying to end the session when the time runs out during an outage, then grades it once', async () => {
    const session = await newSession(test.db, { durationLimit: 2 });
    const { logger, lines } = capturingLogger();
    const failures = () =>
      lines.filter((l) => l.msg === 'ending the session on timer failed; retrying while the job lives');
    const { call, livekit } = await startTestJob(flaky.db, session, {
      heartbeatMs: 200,
      logger,
      endRetry: { firstMs: 50, maxMs: 200 },
      // The database goes away right after the goodbye is stored, so only the ending meets the outage.
      recorder: { onStored: (row) => row.content === GOODBYE_LINE && proxy.cut() },
    });

    // More failures than the five tries after which the ending used to be given up.
    await eventually(() => expect(failures().length).toBeGreaterThan(5), 20_000);
    expect(failures().at(-1)?.level).toBe(50);
    expect((await sessionRow(test.db, session.id)).status).toBe('active');
    proxy.restore();

    expect(await call.finished).toEqual({ kind: 'timer_expired' });
    expect(await sessionRow(test.db, session.id)).toMatchObject({ status: 'ended', endReason: 'timer_expired' });
    expect(await gradingJobs(test, session.id)).toBe(1);
    expect(livekit.callsTo('DeleteRoom').filter((c) => c.body.room === session.roomName)).toHaveLength(1);
    expect((await loadTranscript(test.db, session.id)).at(-1)?.content).toBe(GOODBYE_LINE);
  }, 45_000);
});
