import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  claimTextTurn,
  closeSegment,
  endSession,
  expirePendingSessions,
  heartbeat,
  loadTranscript,
  openSegment,
  sessions,
} from '../src/index.js';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('openSegment', () => {
  it('activates a pending session, sets start_time and opens a segment from the saved total', async () => {
    const session = await newSession({ status: 'pending', elapsedActiveTime: 0 });

    const opened = await openSegment(test.db, { sessionId: session.id });

    expect(opened).toMatchObject({ status: 'active', segmentBase: 0, elapsedActiveTime: 0 });
    expect(opened?.startTime).toBeInstanceOf(Date);
    expect(opened?.connectedSince).toBeInstanceOf(Date);
    expect(opened?.lastActivity).toBeInstanceOf(Date);
  });

  it('keeps the first start_time when the student rejoins', async () => {
    const firstStart = new Date(Date.now() - 120_000);
    const session = await newSession({ status: 'active', startTime: firstStart, elapsedActiveTime: 73 });

    const opened = await openSegment(test.db, { sessionId: session.id });

    expect(opened?.startTime?.toISOString()).toBe(firstStart.toISOString());
    expect(opened?.segmentBase).toBe(73);
  });

  it('counts a segment left open by a dead worker only up to its last heartbeat', async () => {
    const session = await newSession({
      status: 'active',
      segmentBase: 100,
      elapsedActiveTime: 130,
      connectedSince: new Date(Date.now() - 600_000),
      lastActivity: new Date(Date.now() - 570_000),
    });

    const opened = await openSegment(test.db, { sessionId: session.id });

    expect(opened?.segmentBase).toBe(130);
    expect(opened?.elapsedActiveTime).toBe(130);
  });

  it('does not touch an ended session', async () => {
    const session = await newSession({ status: 'active' });
    await endSession(test.db, session.id, 'user_ended');
    const before = await row(session.id);

    expect(await openSegment(test.db, { sessionId: session.id })).toBeNull();
    expect(await row(session.id)).toEqual(before);
  });

  it('does not touch a session that has moved to another room', async () => {
    const session = await newSession({ status: 'active' });
    expect(await openSegment(test.db, { sessionId: session.id, roomName: 'mind-000000000000' })).toBeNull();
    expect((await row(session.id)).connectedSince).toBeNull();
  });
});

describe('heartbeat', () => {
  it('rewrites the running total from the segment start and records the heartbeat', async () => {
    const session = await newSession({ status: 'active', elapsedActiveTime: 10 });
    await openSegment(test.db, { sessionId: session.id });
    await sleep(600);

    const beat = await heartbeat(test.db, { sessionId: session.id, roomName: session.roomName });

    expect(beat?.elapsedActiveTime).toBeGreaterThanOrEqual(10.55);
    expect(beat?.elapsedActiveTime).toBeLessThan(12);
    expect(beat?.lastActivity?.getTime()).toBeGreaterThan(beat?.connectedSince?.getTime() ?? Infinity);
  });

  it('never writes more than the duration limit', async () => {
    const session = await newSession({
      status: 'active',
      durationLimit: 60,
      segmentBase: 59,
      connectedSince: new Date(Date.now() - 30_000),
    });
    expect((await heartbeat(test.db, { sessionId: session.id }))?.elapsedActiveTime).toBe(60);
  });

  it('writes nothing while the student is disconnected', async () => {
    const session = await newSession({ status: 'active', elapsedActiveTime: 42 });
    expect(await heartbeat(test.db, { sessionId: session.id })).toBeNull();
    expect((await row(session.id)).elapsedActiveTime).toBe(42);
  });

  it('writes nothing once the session has ended', async () => {
    const session = await newSession({ status: 'active' });
    await openSegment(test.db, { sessionId: session.id });
    await endSession(test.db, session.id, 'user_ended');
    const before = await row(session.id);

    expect(await heartbeat(test.db, { sessionId: session.id })).toBeNull();
    expect(await row(session.id)).toEqual(before);
  });
});

describe('closeSegment', () => {
  it('stops the clock at the disconnect and keeps the session active', async () => {
    const session = await newSession({ status: 'active', elapsedActiveTime: 5 });
    await openSegment(test.db, { sessionId: session.id });
    await sleep(500);

    const closed = await closeSegment(test.db, { sessionId: session.id });
    await sleep(500);
    const later = await row(session.id);

    expect(closed).toMatchObject({ status: 'active', connectedSince: null });
    expect(closed?.lastDisconnectAt).toBeInstanceOf(Date);
    expect(closed?.elapsedActiveTime).toBeGreaterThanOrEqual(5.45);
    expect(closed?.elapsedActiveTime).toBeLessThan(6.5);
    expect(later.elapsedActiveTime).toBe(closed?.elapsedActiveTime);
  });

  it('adds each connected stretch once across a disconnect and a rejoin', async () => {
    const session = await newSession({ status: 'active' });
    await openSegment(test.db, { sessionId: session.id });
    await sleep(400);
    await closeSegment(test.db, { sessionId: session.id });
    await sleep(600);
    await openSegment(test.db, { sessionId: session.id });
    await sleep(400);
    const closed = await closeSegment(test.db, { sessionId: session.id });

    expect(closed?.elapsedActiveTime).toBeGreaterThanOrEqual(0.78);
    expect(closed?.elapsedActiveTime).toBeLessThan(1.4);
  });

  it('does not touch an ended session', async () => {
    const session = await newSession({ status: 'active' });
    await endSession(test.db, session.id, 'timer_expired');
    const before = await row(session.id);
    expect(await closeSegment(test.db, { sessionId: session.id })).toBeNull();
    expect(await row(session.id)).toEqual(before);
  });
});

describe('expirePendingSessions', () => {
  it('ends, pending_timeout, only the never-started sessions whose room opened at or before the cutoff', async () => {
    const old = await newSession({ status: 'pending', roomOpenedAt: new Date(Date.now() - 120_000) });
    const fresh = await newSession({ status: 'pending' });
    const started = await newSession({ status: 'active', startTime: new Date(), roomOpenedAt: new Date(0) });

    const ended = await expirePendingSessions(test.db, new Date(Date.now() - 60_000), {
      sessionIds: [old.id, fresh.id, started.id],
    });

    expect(ended.map((s) => s.id)).toEqual([old.id]);
    expect(ended[0]).toMatchObject({ status: 'ended', endReason: 'pending_timeout', isActive: false });
    expect(await row(fresh.id)).toMatchObject({ status: 'pending' });
    expect(await row(started.id)).toMatchObject({ status: 'active' });
  });

  it('without a cutoff (the room is gone), ends a never-started session however recent its room', async () => {
    const justOpened = await newSession({ status: 'pending', roomOpenedAt: new Date(Date.now() + 60_000) });
    const started = await newSession({ status: 'pending', startTime: new Date() });

    const ended = await expirePendingSessions(test.db, undefined, { sessionIds: [justOpened.id, started.id] });

    expect(ended.map((s) => s.id)).toEqual([justOpened.id]);
    expect(await row(started.id)).toMatchObject({ status: 'pending' });
  });

  it('without a cutoff, still leaves alone a session whose room_opened_at is null', async () => {
    // The schema forbids the null; this test database of its own drops that guard to show the query's own.
    await test.db.execute(sql`alter table sessions alter column room_opened_at drop not null`);
    try {
      const unknown = await newSession({ status: 'pending' });
      await test.db
        .update(sessions)
        .set({ roomOpenedAt: null as never })
        .where(eq(sessions.id, unknown.id));

      expect(await expirePendingSessions(test.db, undefined, { sessionIds: [unknown.id] })).toEqual([]);
      expect(await row(unknown.id)).toMatchObject({ status: 'pending', roomOpenedAt: null });
    } finally {
      await test.db.execute(sql`delete from sessions where room_opened_at is null`);
      await test.db.execute(sql`alter table sessions alter column room_opened_at set not null`);
    }
  });
});

describe('claimTextTurn', () => {
  const versionOf = async (id: string) =>
    (await test.db.execute<{ v: string }>(sql`select xmin::text as v from sessions where id = ${id}`))[0]?.v ?? '';

  it("charges the gap since the last text turn at the database's now(), and stores the question", async () => {
    const lastTurn = new Date(Date.now() - 30_000);
    const session = await newSession({
      status: 'active',
      channel: 'text',
      elapsedActiveTime: 10,
      startTime: lastTurn,
      lastActivity: lastTurn,
    });

    const claimed = await claimTextTurn(test.db, {
      sessionId: session.id,
      version: await versionOf(session.id),
      gapCapSeconds: 60,
      engine: 'scripted',
      question: 'Any allergies?',
    });

    expect(claimed?.sequence).toBe(1);
    expect(claimed?.session.elapsedActiveTime).toBeGreaterThanOrEqual(40);
    expect(claimed?.session.elapsedActiveTime).toBeLessThan(41);
    expect(claimed?.session).toMatchObject({ channel: 'text', patientEngine: 'scripted', connectedSince: null });
    // The lease stamp is whole milliseconds, so the caller's Date matches it exactly.
    expect((await row(session.id)).textTurnStartedAt?.getTime()).toBe(claimed?.turnStartedAt.getTime());
    expect((await loadTranscript(test.db, session.id)).map((t) => [t.role, t.content])).toEqual([
      ['user', 'Any allergies?'],
    ]);
  });

  it('writes nothing when the row changed since the turn was judged', async () => {
    const session = await newSession({ status: 'active', channel: 'text' });
    const judged = await versionOf(session.id);
    await test.db.update(sessions).set({ reconnectCount: 1 }).where(eq(sessions.id, session.id));
    const before = await row(session.id);

    const claim = {
      sessionId: session.id,
      version: judged,
      gapCapSeconds: 60,
      engine: 'model' as const,
      question: 'Hi',
    };
    expect(await claimTextTurn(test.db, claim)).toBeNull();
    expect(await row(session.id)).toEqual(before);
    expect(await loadTranscript(test.db, session.id)).toEqual([]);
  });
});
