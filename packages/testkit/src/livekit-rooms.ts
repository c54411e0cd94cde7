/**
 * The room and agent-dispatch state of the fake LiveKit server, with the real
 * server's rules (livekit-server `pkg/rtc/room.go`, `pkg/service/roomservice.go`):
 *
 * - A room's agent dispatches are fixed when the room is created: by
 *   `CreateRoom`'s `agents`, or, when a join creates the room, by the join
 *   token's `roomConfig.agents`. A room created with no agents gets one
 *   dispatch for the unnamed agent ('') and no other. A named worker only
 *   ever receives a job from a dispatch naming it.
 * - `CreateRoom` for a room that exists answers that room and changes nothing:
 *   its `agents` are ignored.
 * - A join token's `roomConfig` is applied only when that join creates the
 *   room; joining an existing room ignores it silently.
 * - With `room.auto_create: false`, a join to a room that does not exist is
 *   refused; `CreateDispatch` into a room that does not exist fails.
 */
import { type ClaimGrants, Room } from 'livekit-server-sdk';

/** One agent dispatch: LiveKit offers a job for `agentName` in `room` to workers registered under that name. */
export interface FakeDispatch {
  id: string;
  room: string;
  agentName: string;
  metadata: string;
  /** What made it: CreateRoom's agents, CreateDispatch, a creating join's token, or the default for a bare room. */
  source: 'create_room' | 'create_dispatch' | 'join_token' | 'default';
}

export interface FakeParticipant {
  identity: string;
  name: string;
  attributes: Record<string, string>;
}

/** The room-creating fields of CreateRoomRequest and RoomConfiguration, as their JSON. */
export interface RoomSettings {
  emptyTimeout?: number;
  departureTimeout?: number;
  maxParticipants?: number;
  metadata?: string;
  agents?: { agentName?: string; metadata?: string }[];
}

export class RoomRefused extends Error {
  constructor(
    readonly code: 'not_found' | 'permission_denied' | 'resource_exhausted' | 'invalid_argument',
    message: string,
  ) {
    super(message);
  }
}

export class FakeRoomState {
  readonly rooms = new Map<string, Room>();
  readonly dispatches: FakeDispatch[] = [];
  readonly participants = new Map<string, FakeParticipant[]>();
  /** LiveKit's `room.auto_create`; the server's default is on, our infra/livekit.yaml turns it off. */
  autoCreate: boolean;
  private nextId = 1;

  constructor(options: { autoCreate?: boolean } = {}) {
    this.autoCreate = options.autoCreate ?? true;
  }

  /** RoomService.CreateRoom: an existing room is answered as it is, its dispatches untouched. */
  createRoom(name: string, settings: RoomSettings, source: 'create_room' | 'join_token' = 'create_room'): Room {
    const existing = this.rooms.get(name);
    if (existing) return existing;
    const room = new Room({
      sid: `RM_${name}`,
      name,
      emptyTimeout: Number(settings.emptyTimeout ?? 0),
      departureTimeout: Number(settings.departureTimeout ?? 0),
      maxParticipants: Number(settings.maxParticipants ?? 0),
      metadata: String(settings.metadata ?? ''),
      creationTime: BigInt(Math.floor(Date.now() / 1000)),
    });
    this.rooms.set(name, room);
    this.participants.set(name, []);
    const agents = settings.agents ?? [];
    if (agents.length === 0) this.dispatch(name, '', '', 'default');
    for (const agent of agents) this.dispatch(name, agent.agentName ?? '', agent.metadata ?? '', source);
    return room;
  }

  deleteRoom(name: string): boolean {
    this.participants.delete(name);
    return this.rooms.delete(name);
  }

  /** AgentDispatchService.CreateDispatch: only into a room that exists. */
  createDispatch(room: string, agentName: string, metadata: string): FakeDispatch {
    if (!this.rooms.has(room)) throw new RoomRefused('not_found', 'requested room does not exist');
    return this.dispatch(room, agentName, metadata, 'create_dispatch');
  }

  /**
   * A client connecting with a join token (what the browser does with
   * `participant_token`). The token's roomConfig counts only if this join
   * creates the room.
   */
  join(claims: ClaimGrants): { room: Room; created: boolean; participant: FakeParticipant } {
    const video = claims.video ?? {};
    const name = video.room ?? '';
    if (!video.roomJoin || !name) throw new RoomRefused('permission_denied', 'token does not grant roomJoin');
    if (!claims.sub) throw new RoomRefused('invalid_argument', 'token has no identity');
    let room = this.rooms.get(name);
    const created = !room;
    if (!room) {
      if (!this.autoCreate) throw new RoomRefused('not_found', 'requested room does not exist');
      room = this.createRoom(name, roomSettingsOf(claims.roomConfig), 'join_token');
    }
    const present = (this.participants.get(name) ?? []).filter((p) => p.identity !== claims.sub);
    if (room.maxParticipants > 0 && present.length >= room.maxParticipants) {
      throw new RoomRefused('resource_exhausted', 'room is full');
    }
    const participant = { identity: claims.sub, name: claims.name ?? '', attributes: claims.attributes ?? {} };
    this.participants.set(name, [...present, participant]);
    return { room, created, participant };
  }

  private dispatch(room: string, agentName: string, metadata: string, source: FakeDispatch['source']) {
    const dispatch: FakeDispatch = { id: `AD_${this.nextId++}`, room, agentName, metadata, source };
    this.dispatches.push(dispatch);
    return dispatch;
  }
}

/** A token's roomConfig as it arrives in the verified JWT payload (JSON, camelCase). */
function roomSettingsOf(config: unknown): RoomSettings {
  if (!config || typeof config !== 'object') return {};
  const c = config as Record<string, unknown>;
  return {
    emptyTimeout: Number(c.emptyTimeout ?? 0),
    departureTimeout: Number(c.departureTimeout ?? 0),
    maxParticipants: Number(c.maxParticipants ?? 0),
    metadata: typeof c.metadata === 'string' ? c.metadata : '',
    agents: Array.isArray(c.agents) ? (c.agents as RoomSettings['agents']) : [],
  };
}
