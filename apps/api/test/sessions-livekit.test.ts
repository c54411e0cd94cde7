/**
 * The sessions' LiveKit rooms through the real RoomServiceClient against the
 * Twirp fake: what a missing room, a refusing server and a hung server do.
 */
import { DomainError } from '@sp/core';
import { sessions } from '@sp/db';
import { insertCaseStudy, insertSession } from '@sp/db/testing';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { apiConfig } from '../src/config.js';
import { liveKitRooms, type SessionParticipant } from '../src/livekit.js';
import { buildTestApp, studentOf } from './support.js';

const TIMEOUT_SECONDS = 0.5;
const test = await buildTestApp({ env: { LIVEKIT_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) } });
const rooms = liveKitRooms(test.config);

afterEach(() => {
  test.livekit.setMode('up');
  test.livekit.setRoomsNotFound(false);
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
