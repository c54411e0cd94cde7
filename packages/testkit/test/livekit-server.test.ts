import { AccessToken, RoomServiceClient, TwirpError } from 'livekit-server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeLiveKit } from '../src/index.js';

const fake = await startFakeLiveKit({ apiKey: 'k', apiSecret: 'a-secret-long-enough-for-livekit' });
afterAll(() => fake.close());
const client = new RoomServiceClient(fake.url.replace('http', 'ws'), 'k', 'a-secret-long-enough-for-livekit', {
  failover: false,
});

async function failure(promise: Promise<unknown>): Promise<TwirpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TwirpError);
  return error as TwirpError;
}

describe('fake LiveKit server', () => {
  it('creates, lists and deletes rooms for the real RoomServiceClient', async () => {
    const room = await client.createRoom({ name: 'mind-aaaaaaaaaaaa', maxParticipants: 2, metadata: '{"a":1}' });
    expect(room).toMatchObject({ name: 'mind-aaaaaaaaaaaa', maxParticipants: 2, metadata: '{"a":1}' });
    expect((await client.listRooms()).map((r) => r.name)).toContain('mind-aaaaaaaaaaaa');
    await client.deleteRoom('mind-aaaaaaaaaaaa');
    expect(fake.rooms.has('mind-aaaaaaaaaaaa')).toBe(false);
    expect(fake.callsTo('CreateRoom')[0]?.claims?.video).toMatchObject({ roomCreate: true });
  });

  it('answers Twirp not_found for a room that does not exist', async () => {
    const error = await failure(client.deleteRoom('mind-bbbbbbbbbbbb'));
    expect([error.status, error.code]).toEqual([404, 'not_found']);
  });

  it('rejects a token signed with the wrong secret as unauthenticated', async () => {
    const intruder = new RoomServiceClient(fake.url, 'k', 'not-the-secret-not-the-secret-xx', { failover: false });
    const error = await failure(intruder.createRoom({ name: 'mind-cccccccccccc' }));
    expect([error.status, error.code]).toEqual([401, 'unauthenticated']);
    expect(fake.rooms.has('mind-cccccccccccc')).toBe(false);
  });

  it('checks the grant each method needs: roomAdmin for the same room to list participants', async () => {
    await client.createRoom({ name: 'mind-dddddddddddd' });
    expect(await client.listParticipants('mind-dddddddddddd')).toEqual([]);
    const call = fake.callsTo('ListParticipants').at(-1);
    expect(call?.claims?.video).toMatchObject({ roomAdmin: true, room: 'mind-dddddddddddd' });
    // A token that administers another room must not reach this one.
    const adminOfOther = new AccessToken('k', 'a-secret-long-enough-for-livekit');
    adminOfOther.addGrant({ roomAdmin: true, room: 'mind-eeeeeeeeeeee' });
    const scoped = new RoomServiceClient(fake.url, undefined, undefined, {
      failover: false,
      token: await adminOfOther.toJwt(),
    });
    const error = await failure(scoped.listParticipants('mind-dddddddddddd'));
    expect([error.status, error.code]).toEqual([403, 'permission_denied']);
  });

  it('can refuse connections, answer 503, or answer not_found on demand', async () => {
    fake.setMode('refuse');
    await expect(client.createRoom({ name: 'mind-ffffffffffff' })).rejects.toThrow();
    fake.setMode('unavailable');
    expect((await failure(client.createRoom({ name: 'mind-ffffffffffff' }))).status).toBe(503);
    fake.setMode('up');
    await client.createRoom({ name: 'mind-ffffffffffff' });
    fake.setRoomsNotFound(true);
    expect((await failure(client.deleteRoom('mind-ffffffffffff'))).code).toBe('not_found');
    fake.setRoomsNotFound(false);
    await client.deleteRoom('mind-ffffffffffff');
  });
});
