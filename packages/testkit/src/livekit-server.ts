/**
 * A local stand-in for a LiveKit server's API: a node:http server speaking
 * LiveKit's Twirp JSON protocol (`POST /twirp/livekit.RoomService/<Method>`
 * and `livekit.AgentDispatchService`). It verifies each request's bearer token
 * with livekit-server-sdk's TokenVerifier and the video grant LiveKit requires
 * for the method, records every call, and can be switched to refuse
 * connections, answer 503, never answer, or answer `not_found`, so the real
 * RoomServiceClient and AgentDispatchClient can be tested against it.
 * Rooms, joins and agent dispatches follow the real server's rules (see
 * livekit-rooms.ts): a named agent gets a job only from CreateRoom's agents,
 * CreateDispatch, or the roomConfig of a join that creates the room.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEV_LIVEKIT_KEY, DEV_LIVEKIT_SECRET } from '@sp/runtime';
import { type ClaimGrants, ParticipantInfo, type Room, TokenVerifier, type VideoGrant } from 'livekit-server-sdk';
import { type FakeDispatch, type FakeParticipant, FakeRoomState, RoomRefused } from './livekit-rooms.js';

export type { FakeDispatch, FakeParticipant } from './livekit-rooms.js';
export { RoomRefused } from './livekit-rooms.js';

export interface FakeLiveKitCall {
  service: string;
  method: string;
  body: Record<string, unknown>;
  /** The verified claims of the request's token (absent when it was rejected). */
  claims?: ClaimGrants;
  /** The HTTP status the fake answered; 0 when it never answered (mode `hang`). */
  status: number;
}

export type FakeLiveKitMode =
  /** Serve normally. */
  | 'up'
  /** Drop every connection at once, as if nothing listened. */
  | 'refuse'
  /** Answer 503 `unavailable`. */
  | 'unavailable'
  /** Accept the request and never answer (nor act on it), as a wedged server would. */
  | 'hang';

export interface FakeLiveKit {
  /** http://127.0.0.1:<port>; the SDK maps ws:// to http:// itself, so either works. */
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly calls: FakeLiveKitCall[];
  /** Rooms that exist now, by name. */
  readonly rooms: Map<string, Room>;
  /** Every agent dispatch ever made, in order (a deleted room keeps its history here). */
  readonly dispatches: FakeDispatch[];
  /** The dispatches naming `agentName` (a job for a worker registered under it), optionally into one room. */
  dispatchesOf(agentName: string, room?: string): FakeDispatch[];
  /**
   * A client connecting with a join token, as the browser does with the
   * session's `participant_token`. Throws RoomRefused as the server would
   * refuse the connection (no such room with auto-create off, room full, no grant).
   */
  join(token: string): Promise<{ room: Room; created: boolean; participant: FakeParticipant }>;
  /** LiveKit's `room.auto_create` (the real server's default: on). */
  setAutoCreate(on: boolean): void;
  setMode(mode: FakeLiveKitMode): void;
  /** Answer Twirp `not_found` to room-scoped calls, whether or not the room exists. */
  setRoomsNotFound(on: boolean): void;
  /** Adds a delay (ms) before each answer, to widen race windows or mimic a remote server. */
  setLatency(ms: number): void;
  /**
   * A wedged-then-recovering server: each request received from now on is
   * acted on only after this delay (ms), then answered, whether or not its
   * client is still waiting (LiveKit does not cancel a request whose caller
   * gave up). So a CreateRoom the client timed out on still creates its room, late.
   */
  setProcessingDelay(ms: number): void;
  callsTo(method: string): FakeLiveKitCall[];
  close(): Promise<void>;
}

/** The API's and worker's LiveKit settings pointing at a fake (or at its URL and keys passed between threads). */
export function liveKitSettings(livekit: Pick<FakeLiveKit, 'url' | 'apiKey' | 'apiSecret'>) {
  return {
    LIVEKIT_URL: livekit.url.replace(/^http/, 'ws'),
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
  };
}

type Handler = (body: Record<string, unknown>, video: VideoGrant) => TwirpAnswer;
type TwirpAnswer = { status: 200; body: unknown } | { status: number; code: string; msg: string };

const ok = (body: unknown): TwirpAnswer => ({ status: 200, body });
const twirpError = (status: number, code: string, msg: string): TwirpAnswer => ({ status, code, msg });

const adminOfRoom = (v: VideoGrant, b: Record<string, unknown>) => v.roomAdmin === true && v.room === b.room;

/** The grant LiveKit checks for each method, by service. */
const requiredGrant: Record<string, Record<string, (video: VideoGrant, body: Record<string, unknown>) => boolean>> = {
  RoomService: {
    CreateRoom: (v) => v.roomCreate === true,
    DeleteRoom: (v) => v.roomCreate === true,
    ListRooms: (v) => v.roomList === true,
    ListParticipants: adminOfRoom,
    RemoveParticipant: adminOfRoom,
  },
  AgentDispatchService: {
    CreateDispatch: adminOfRoom,
    ListDispatch: adminOfRoom,
    DeleteDispatch: adminOfRoom,
  },
};

export async function startFakeLiveKit(
  options: { apiKey?: string; apiSecret?: string; autoCreate?: boolean } = {},
): Promise<FakeLiveKit> {
  const apiKey = options.apiKey ?? DEV_LIVEKIT_KEY;
  const apiSecret = options.apiSecret ?? DEV_LIVEKIT_SECRET;
  const verifier = new TokenVerifier(apiKey, apiSecret);
  const calls: FakeLiveKitCall[] = [];
  const state = new FakeRoomState({ autoCreate: options.autoCreate ?? true });
  const { rooms } = state;
  const sockets = new Set<Socket>();
  let mode: FakeLiveKitMode = 'up';
  let roomsNotFound = false;
  let latencyMs = 0;
  let processingDelayMs = 0;

  const roomNotFound = () => twirpError(404, 'not_found', 'requested room does not exist');
  const dispatchJson = (d: FakeDispatch) => ({ id: d.id, agentName: d.agentName, room: d.room, metadata: d.metadata });
  const handlers: Record<string, Record<string, Handler>> = {
    RoomService: {
      CreateRoom(body) {
        const name = String(body.name ?? '');
        if (!name) return twirpError(400, 'invalid_argument', 'room name is required');
        return ok(state.createRoom(name, body).toJson());
      },
      DeleteRoom(body) {
        if (roomsNotFound || !state.deleteRoom(String(body.room ?? ''))) return roomNotFound();
        return ok({});
      },
      ListRooms(body) {
        const names = Array.isArray(body.names) ? body.names.map(String) : [];
        const listed = [...rooms.values()].filter((r) => names.length === 0 || names.includes(r.name));
        return ok({ rooms: listed.map((r) => r.toJson()) });
      },
      ListParticipants(body) {
        const present = state.participants.get(String(body.room));
        if (roomsNotFound || !present) return roomNotFound();
        return ok({
          participants: present.map((p) => new ParticipantInfo({ ...p, sid: `PA_${p.identity}` }).toJson()),
        });
      },
      RemoveParticipant(body) {
        const present = state.participants.get(String(body.room));
        if (roomsNotFound || !present) return roomNotFound();
        const remaining = present.filter((p) => p.identity !== body.identity);
        if (remaining.length === present.length) return twirpError(404, 'not_found', 'participant not found');
        state.participants.set(String(body.room), remaining);
        return ok({});
      },
    },
    AgentDispatchService: {
      CreateDispatch(body) {
        try {
          const room = String(body.room ?? '');
          return ok(
            dispatchJson(state.createDispatch(room, String(body.agentName ?? ''), String(body.metadata ?? ''))),
          );
        } catch (error) {
          if (error instanceof RoomRefused) return twirpError(404, error.code, error.message);
          throw error;
        }
      },
      ListDispatch(body) {
        if (roomsNotFound || !rooms.has(String(body.room))) return roomNotFound();
        const listed = state.dispatches.filter(
          (d) => d.room === body.room && (!body.dispatchId || d.id === body.dispatchId),
        );
        return ok({ agentDispatches: listed.map(dispatchJson) });
      },
      DeleteDispatch(body) {
        const index = state.dispatches.findIndex((d) => d.room === body.room && d.id === body.dispatchId);
        const [deleted] = index < 0 ? [] : state.dispatches.splice(index, 1);
        return deleted ? ok(dispatchJson(deleted)) : twirpError(404, 'not_found', 'dispatch not found');
      },
    },
  };

  async function answer(req: IncomingMessage): Promise<{ answer: TwirpAnswer | null; call: FakeLiveKitCall | null }> {
    const match = req.url?.match(/^\/twirp\/livekit\.(\w+)\/(\w+)$/);
    if (req.method !== 'POST' || !match) return { answer: twirpError(404, 'bad_route', 'no such route'), call: null };
    const [, service = '', method = ''] = match;
    const text = await readBody(req);
    const delay = processingDelayMs;
    if (delay) await new Promise((r) => setTimeout(r, delay));
    let body: Record<string, unknown>;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return { answer: twirpError(400, 'malformed', 'body is not JSON'), call: null };
    }
    const call: FakeLiveKitCall = { service, method, body, status: 0 };
    if (mode === 'hang') return { answer: null, call };
    if (mode === 'unavailable') return { answer: twirpError(503, 'unavailable', 'server is unavailable'), call };
    const token = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    if (!token) return { answer: twirpError(401, 'unauthenticated', 'authorization required'), call };
    try {
      call.claims = await verifier.verify(token);
    } catch {
      return { answer: twirpError(401, 'unauthenticated', 'invalid token'), call };
    }
    const handler = handlers[service]?.[method];
    const allowed = requiredGrant[service]?.[method];
    if (!handler || !allowed)
      return { answer: twirpError(404, 'bad_route', `${service}/${method} is not served`), call };
    if (!allowed(call.claims.video ?? {}, body)) {
      return { answer: twirpError(403, 'permission_denied', 'permissions denied'), call };
    }
    return { answer: handler(body, call.claims.video ?? {}), call };
  }

  const server = createServer(async (req, res) => {
    const { answer: result, call } = await answer(req);
    if (!result) {
      // Hung: recorded unanswered; the socket stays open until the client gives up or the fake closes.
      if (call) calls.push(call);
      return;
    }
    if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
    if (call) {
      call.status = result.status;
      calls.push(call);
    }
    send(res, result);
  });
  server.on('connection', (socket) => {
    if (mode === 'refuse') return socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    apiSecret,
    calls,
    rooms,
    dispatches: state.dispatches,
    dispatchesOf: (agentName, room) =>
      state.dispatches.filter((d) => d.agentName === agentName && (room === undefined || d.room === room)),
    async join(token) {
      let claims: ClaimGrants;
      try {
        claims = await verifier.verify(token);
      } catch {
        throw new RoomRefused('permission_denied', 'invalid token');
      }
      return state.join(claims);
    },
    setAutoCreate(on) {
      state.autoCreate = on;
    },
    setMode(next) {
      mode = next;
      // Keep-alive connections would otherwise outlive a switch to `refuse`.
      if (next === 'refuse') for (const socket of sockets) socket.destroy();
    },
    setRoomsNotFound(on) {
      roomsNotFound = on;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setProcessingDelay(ms) {
      processingDelayMs = ms;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: TwirpAnswer) {
  // The SDK reads an error's JSON only when the content type is exactly `application/json`.
  res.writeHead(result.status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify('body' in result ? result.body : { code: result.code, msg: result.msg }));
}
