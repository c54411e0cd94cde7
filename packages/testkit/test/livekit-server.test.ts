import {
  AccessToken,
  AgentDispatchClient,
  RoomAgentDispatch,
  RoomConfiguration,
  RoomServiceClient,
  TwirpError,
} from 'livekit-server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { RoomRefused, startFakeLiveKit } from '../src/index.js';

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

describe('fake LiveKit server: agent dispatch, as the real server decides it', () => {
  const dispatcher = new AgentDispatchClient(fake.url, 'k', 'a-secret-long-enough-for-livekit', { failover: false });

  async function joinToken(room: string, agents?: string[]): Promise<string> {
    const token = new AccessToken('k', 'a-secret-long-enough-for-livekit', { identity: `student-${room}` });
    token.addGrant({ roomJoin: true, room });
    if (agents) token.roomConfig = new RoomConfiguration({ agents: agents.map((agentName) => ({ agentName })) });
    return token.toJwt();
  }

  it("dispatches CreateRoom's agents by name, once, when it creates the room", async () => {
    await client.createRoom({
      name: 'mind-a00000000001',
      agents: [new RoomAgentDispatch({ agentName: 'patient', metadata: 'm' })],
    });
    // Asking again for a room that exists changes nothing, its agents included.
    await client.createRoom({ name: 'mind-a00000000001', agents: [new RoomAgentDispatch({ agentName: 'patient' })] });

    expect(fake.dispatchesOf('patient', 'mind-a00000000001')).toEqual([
      expect.objectContaining({ agentName: 'patient', metadata: 'm', source: 'create_room' }),
    ]);
    expect(fake.dispatchesOf('', 'mind-a00000000001')).toEqual([]);
  });

  it('gives a room created without agents only the unnamed default dispatch', async () => {
    await client.createRoom({ name: 'mind-a00000000002' });

    expect(fake.dispatches.filter((d) => d.room === 'mind-a00000000002').map((d) => [d.agentName, d.source])).toEqual([
      ['', 'default'],
    ]);
  });

  it("ignores a join token's roomConfig for a room that exists", async () => {
    await client.createRoom({ name: 'mind-a00000000003' });

    const joined = await fake.join(await joinToken('mind-a00000000003', ['patient']));

    expect(joined.created).toBe(false);
    expect(fake.dispatchesOf('patient', 'mind-a00000000003')).toEqual([]);
    expect((await client.listParticipants('mind-a00000000003')).map((p) => p.identity)).toEqual([
      'student-mind-a00000000003',
    ]);
  });

  it("applies a join token's roomConfig when the join creates the room (auto-create on)", async () => {
    const joined = await fake.join(await joinToken('mind-a00000000004', ['patient']));

    expect(joined.created).toBe(true);
    expect(fake.dispatchesOf('patient', 'mind-a00000000004')).toEqual([
      expect.objectContaining({ source: 'join_token' }),
    ]);
  });

  it('refuses a join to a room that does not exist when auto-create is off', async () => {
    fake.setAutoCreate(false);
    try {
      const refused = await fake.join(await joinToken('mind-a00000000005', ['patient'])).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RoomRefused);
      expect((refused as RoomRefused).code).toBe('not_found');
      expect(fake.rooms.has('mind-a00000000005')).toBe(false);
      expect(fake.dispatches.filter((d) => d.room === 'mind-a00000000005')).toEqual([]);
    } finally {
      fake.setAutoCreate(true);
    }
  });

  it('serves AgentDispatchService: CreateDispatch into an existing room, needing roomAdmin of that room', async () => {
    await client.createRoom({ name: 'mind-a00000000006' });

    const made = await dispatcher.createDispatch('mind-a00000000006', 'patient', { metadata: '{"s":1}' });

    expect(made).toMatchObject({ agentName: 'patient', room: 'mind-a00000000006', metadata: '{"s":1}' });
    expect(fake.dispatchesOf('patient', 'mind-a00000000006')).toEqual([
      expect.objectContaining({ id: made.id, source: 'create_dispatch' }),
    ]);
    expect((await dispatcher.listDispatch('mind-a00000000006')).map((d) => d.agentName).sort()).toEqual([
      '',
      'patient',
    ]);
    expect(fake.callsTo('CreateDispatch').at(-1)?.claims?.video).toMatchObject({
      roomAdmin: true,
      room: 'mind-a00000000006',
    });
    const missing = await failure(dispatcher.createDispatch('mind-a00000000007', 'patient'));
    expect(missing.code).toBe('not_found');
  });
});
