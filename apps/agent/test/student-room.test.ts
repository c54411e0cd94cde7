import { ConnectionQuality, RoomEvent } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { LiveKitStudentRoom } from '../src/student-room.js';
import { FakeJob } from './support/fake-job.js';
import { fakeLiveKit } from './support/patient-harness.js';

const student = {
  identity: 'user-abc',
  attributes: { tenant_id: 't', user_id: 'u', session_id: 's', case_study_id: 'c' },
};

async function roomService(secret?: string) {
  const livekit = await fakeLiveKit();
  return { livekit, client: new RoomServiceClient(livekit.url, livekit.apiKey, secret ?? livekit.apiSecret) };
}

describe('the LiveKit student room', () => {
  it("hands over the student's identity and token attributes", async () => {
    const { client } = await roomService();
    const room = new LiveKitStudentRoom(new FakeJob('mind-aaaaaaaaaaaa', student), client);

    expect(room.name).toBe('mind-aaaaaaaaaaaa');
    expect(await room.waitForStudent()).toEqual(student);
  });

  it('reports only that student leaving and returning, until unsubscribed', async () => {
    const { client } = await roomService();
    const job = new FakeJob('mind-bbbbbbbbbbbb', student);
    const room = new LiveKitStudentRoom(job, client);
    const seen: boolean[] = [];

    const unsubscribe = room.onStudentPresence(student.identity, (present) => seen.push(present));
    job.studentLeaves();
    job.room.emit(RoomEvent.ParticipantDisconnected, { identity: 'someone-else', attributes: {} });
    job.studentReturns();
    unsubscribe();
    job.studentLeaves();

    expect(seen).toEqual([false, true]);
  });

  it('with pauseOnLostConnection, counts a lost connection as gone until its quality returns', async () => {
    const { client } = await roomService();
    const job = new FakeJob('mind-dddddddddddd', student);
    const room = new LiveKitStudentRoom(job, client, { pauseOnLostConnection: true });
    const seen: boolean[] = [];
    const quality = (q: ConnectionQuality, identity = student.identity) =>
      job.room.emit(RoomEvent.ConnectionQualityChanged, q, { identity, attributes: {} });

    room.onStudentPresence(student.identity, (present) => seen.push(present));
    quality(ConnectionQuality.QUALITY_POOR);
    quality(ConnectionQuality.QUALITY_LOST);
    quality(ConnectionQuality.QUALITY_LOST);
    quality(ConnectionQuality.QUALITY_GOOD, 'someone-else');
    quality(ConnectionQuality.QUALITY_POOR);
    quality(ConnectionQuality.QUALITY_EXCELLENT);

    expect(seen).toEqual([false, true]);
  });

  it('by default, leaves the clock to joining and leaving only', async () => {
    const { client } = await roomService();
    const job = new FakeJob('mind-eeeeeeeeeeee', student);
    const room = new LiveKitStudentRoom(job, client);
    const seen: boolean[] = [];

    room.onStudentPresence(student.identity, (present) => seen.push(present));
    job.room.emit(RoomEvent.ConnectionQualityChanged, ConnectionQuality.QUALITY_LOST, student);

    expect(seen).toEqual([]);
  });

  it('deletes the room through the server API with a room-create grant', async () => {
    const { client, livekit } = await roomService();
    await client.createRoom({ name: 'mind-cccccccccccc' });
    const room = new LiveKitStudentRoom(new FakeJob('mind-cccccccccccc', student), client);

    await room.deleteRoom();

    const [call] = livekit.callsTo('DeleteRoom').filter((c) => c.body.room === 'mind-cccccccccccc');
    expect(call).toMatchObject({ status: 200, claims: { video: { roomCreate: true } } });
    expect(livekit.rooms.has('mind-cccccccccccc')).toBe(false);
  });

  it('counts a room that is already gone as deleted', async () => {
    const { client } = await roomService();
    const room = new LiveKitStudentRoom(new FakeJob('mind-dddddddddddd', student), client);
    await expect(room.deleteRoom()).resolves.toBeUndefined();
  });

  it('reports a deletion the server refuses', async () => {
    const { client } = await roomService('not-the-secret');
    const room = new LiveKitStudentRoom(new FakeJob('mind-eeeeeeeeeeee', student), client);
    await expect(room.deleteRoom()).rejects.toThrow();
  });

  it('leaves by shutting the job down with the reason', async () => {
    const { client } = await roomService();
    const job = new FakeJob('mind-ffffffffffff', student);
    new LiveKitStudentRoom(job, client).leave('session belongs to another user');
    expect(job.shutdowns).toEqual(['session belongs to another user']);
  });
});
