/**
 * The sessions' LiveKit rooms through the real RoomServiceClient against the
 * Twirp fake: what a missing room, a refusing server and a hung server do.
 */
import { DomainError } from '@sp/core';
import { sessions } from '@sp/db';
import { insertCaseStudy, insertSession } from '@sp/dev-postgres/testing';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { apiConfig } from '../src/config.js';
import { liveKitRooms, type SessionParticipant } from '../src/http/livekit.js';
import { buildTestApp, studentOf } from './support.js';

const TIMEOUT_SECONDS = 0.5;
const test = await buildTestApp({ env: { LIVEKIT_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) } });
const rooms = liveKitRooms(test.config);

afterEach(() => {
  test.livekit.setMode('up');
  test.livekit.setRoomsNotFound(false);
  test.livekit.setProcessingDelay(0);
});

function participant(roomName: string): SessionParticipant {
  return {
    roomName,
    tenantId: test.tenant.id,
    userId: 'student-lk',
    sessionId: '00000000-0000-4000-8000-0000000000aa',
    caseStudyId: test.caseStudy.id,
  };
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

describe('liveKitRooms().serverUrl', () => {
  it('gives the browser LIVEKIT_PUBLIC_URL when the API reaches LiveKit by another address', () => {
    const behindProxy = apiConfig({ LIVEKIT_URL: 'ws://livekit:7880', LIVEKIT_PUBLIC_URL: 'wss://rtc.example.edu' });
    expect(liveKitRooms(behindProxy).serverUrl).toBe('wss://rtc.example.edu');
    expect(liveKitRooms(apiConfig({ LIVEKIT_URL: 'ws://livekit:7880' })).serverUrl).toBe('ws://livekit:7880');
  });
});

describe('liveKitRooms().deleteRoom', () => {
  it('answers deleted for a room that exists, and closes it', async () => {
    await rooms.createRoom(participant('mind-0000000000a1'));

    expect(await rooms.deleteRoom('mind-0000000000a1')).toBe('deleted');
    expect(test.livekit.rooms.has('mind-0000000000a1')).toBe(false);
  });

  it('answers gone when LiveKit says the room does not exist', async () => {
    await rooms.createRoom(participant('mind-0000000000a2'));
    test.livekit.setRoomsNotFound(true);

    expect(await rooms.deleteRoom('mind-0000000000a2')).toBe('gone');
    expect(test.livekit.callsTo('DeleteRoom').at(-1)).toMatchObject({
      body: { room: 'mind-0000000000a2' },
      status: 404,
    });
  });

  it('answers gone for a room that never existed', async () => {
    expect(await rooms.deleteRoom('mind-0000000000a3')).toBe('gone');
  });

  it('throws when LiveKit fails, so a real failure is not taken for a missing room', async () => {
    await rooms.createRoom(participant('mind-0000000000a4'));
    test.livekit.setMode('unavailable');

    await expect(rooms.deleteRoom('mind-0000000000a4')).rejects.toThrow();
  });
});

describe('a LiveKit that never answers', () => {
  it('fails createRoom with LIVEKIT_UNAVAILABLE after LIVEKIT_REQUEST_TIMEOUT_SECONDS', async () => {
    test.livekit.setMode('hang');

    const { result, seconds } = await timed(() =>
      rooms.createRoom(participant('mind-0000000000b1')).then(
        () => null,
        (error: unknown) => error,
      ),
    );

    expect(result).toBeInstanceOf(DomainError);
    expect((result as DomainError).code).toBe('LIVEKIT_UNAVAILABLE');
    expect(seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 0.9);
    expect(seconds).toBeLessThan(TIMEOUT_SECONDS + 2);
    expect(test.livekit.callsTo('CreateRoom').at(-1)).toMatchObject({ body: { name: 'mind-0000000000b1' }, status: 0 });
  });

  it('answers initialize with 502 LIVEKIT_UNAVAILABLE in time and creates nothing', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const roomsBefore = test.livekit.rooms.size;
    test.livekit.setMode('hang');

    const { result, seconds } = await timed(() => student.initialize({ content_id: cs.id }));

    expect(result.status).toBe(502);
    expect(result.body).toMatchObject({ success: false, error: { code: 'LIVEKIT_UNAVAILABLE' } });
    expect(seconds).toBeLessThan(TIMEOUT_SECONDS + 2);
    expect(await test.db.db.select().from(sessions).where(eq(sessions.contentId, cs.id))).toEqual([]);
    expect(test.livekit.rooms.size).toBe(roomsBefore);

    test.livekit.setMode('up');
    const retry = await student.initialize({ content_id: cs.id });
    expect(retry.status).toBe(200);
    expect(retry.body.data.session.reconnect_count).toBe(0);
  });

  it('answers a resume with 502 LIVEKIT_UNAVAILABLE in time, counting no reconnect', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      lastDisconnectAt: new Date(Date.now() - 30_000),
      elapsedActiveTime: 120,
    });
    test.livekit.setMode('hang');

    const { result, seconds } = await timed(() => student.initialize({ content_id: cs.id, session_id: session.id }));

    expect(result.status).toBe(502);
    expect(result.body.error.code).toBe('LIVEKIT_UNAVAILABLE');
    expect(seconds).toBeLessThan(TIMEOUT_SECONDS + 2);
    const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row).toMatchObject({ status: 'active', reconnectCount: 0, roomName: session.roomName });
  });
});

/** Polls `check` every 50 ms until it holds, failing after `seconds`. */
async function eventually(check: () => boolean, seconds: number, what: string): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > seconds * 1000) throw new Error(`not within ${seconds} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (performance.now() - started) / 1000;
}

describe('a LiveKit that creates the room after the API gave up on it', () => {
  /** LiveKit acts on the CreateRoom 3 timeouts late, then is well again; the room must not outlive the 502. */
  async function lateRoomIsDeleted(call: () => Promise<{ status: number }>) {
    const createsBefore = test.livekit.callsTo('CreateRoom').length;
    test.livekit.setProcessingDelay(TIMEOUT_SECONDS * 3 * 1000);

    const answer = await call();
    expect(answer.status).toBe(502);
    test.livekit.setProcessingDelay(0);

    await eventually(
      () => test.livekit.callsTo('CreateRoom').length > createsBefore,
      TIMEOUT_SECONDS * 6,
      'LiveKit acts on the late CreateRoom',
    );
    const late = test.livekit.callsTo('CreateRoom')[createsBefore];
    const roomName = String(late?.body.name);
    expect(late?.status).toBe(200);
    const seconds = await eventually(
      () => !test.livekit.rooms.has(roomName),
      TIMEOUT_SECONDS * 8,
      'the late room is deleted',
    );
    // Deletes that came before the room existed found nothing ("not found" is no reason to stop), then one deleted it.
    const deletes = test.livekit.callsTo('DeleteRoom').filter((c) => c.body.room === roomName);
    expect(deletes.map((c) => c.status)).toEqual([...deletes.slice(1).map(() => 404), 200]);
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    return { roomName, seconds };
  }

  it('deletes the room an initialize timed out on, once LiveKit creates it late', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);

    await lateRoomIsDeleted(() => student.initialize({ content_id: cs.id }));

    expect(await test.db.db.select().from(sessions).where(eq(sessions.contentId, cs.id))).toEqual([]);
  });

  it('deletes the room a resume timed out on, and the session keeps its room', async () => {
    const student = await studentOf(test);
    const cs = await insertCaseStudy(test.db.db, test.tenant.id);
    const session = await insertSession(test.db.db, {
      tenantId: test.tenant.id,
      userId: student.caller.userId,
      contentId: cs.id,
      status: 'active',
      lastDisconnectAt: new Date(Date.now() - 30_000),
      elapsedActiveTime: 120,
    });

    const { roomName } = await lateRoomIsDeleted(() =>
      student.initialize({ content_id: cs.id, session_id: session.id }),
    );

    const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row).toMatchObject({ reconnectCount: 0, roomName: session.roomName });
    expect(roomName).not.toBe(session.roomName);
  });

  it('retries a delete that timed out too, while LiveKit is still wedged', async () => {
    const roomName = 'mind-0000000000c1';
    test.livekit.setProcessingDelay(TIMEOUT_SECONDS * 3 * 1000);
    await expect(rooms.createRoom(participant(roomName))).rejects.toThrow(DomainError);

    await eventually(() => test.livekit.rooms.has(roomName), TIMEOUT_SECONDS * 6, 'the late room appears');
    await eventually(() => !test.livekit.rooms.has(roomName), TIMEOUT_SECONDS * 16, 'the late room is deleted');

    // The first delete deleted it, late too: its caller saw a timeout and tried again.
    const deletes = () => test.livekit.callsTo('DeleteRoom').filter((c) => c.body.room === roomName);
    await eventually(() => deletes().length >= 2, TIMEOUT_SECONDS * 8, 'the delete is retried');
    expect(deletes().map((c) => c.status)).toEqual([200, 404]);
  });
});
