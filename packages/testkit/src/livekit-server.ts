/**
 * A local stand-in for a LiveKit server's API: a node:http server speaking
 * LiveKit's Twirp JSON protocol (`POST /twirp/livekit.RoomService/<Method>`).
 * It verifies each request's bearer token with livekit-server-sdk's
 * TokenVerifier and the video grant LiveKit requires for the method, records
 * every call, and can be switched to refuse connections, answer 503, never
 * answer, or answer `not_found`, so the real RoomServiceClient can be tested
 * against it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ClaimGrants, Room, TokenVerifier, type VideoGrant } from 'livekit-server-sdk';

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
  setMode(mode: FakeLiveKitMode): void;
  /** Answer Twirp `not_found` to room-scoped calls, whether or not the room exists. */
  setRoomsNotFound(on: boolean): void;
  /** Adds a delay (ms) before each answer, to widen race windows or mimic a remote server. */
  setLatency(ms: number): void;
  callsTo(method: string): FakeLiveKitCall[];
  close(): Promise<void>;
}

type Handler = (body: Record<string, unknown>, video: VideoGrant) => TwirpAnswer;
type TwirpAnswer = { status: 200; body: unknown } | { status: number; code: string; msg: string };

const ok = (body: unknown): TwirpAnswer => ({ status: 200, body });
const twirpError = (status: number, code: string, msg: string): TwirpAnswer => ({ status, code, msg });

/** The grant LiveKit checks for each RoomService method. */
const requiredGrant: Record<string, (video: VideoGrant, body: Record<string, unknown>) => boolean> = {
  CreateRoom: (v) => v.roomCreate === true,
  DeleteRoom: (v) => v.roomCreate === true,
  ListRooms: (v) => v.roomList === true,
  ListParticipants: (v, b) => v.roomAdmin === true && v.room === b.room,
  RemoveParticipant: (v, b) => v.roomAdmin === true && v.room === b.room,
};

export async function startFakeLiveKit(options: { apiKey?: string; apiSecret?: string } = {}): Promise<FakeLiveKit> {
  const apiKey = options.apiKey ?? 'devkey';
  const apiSecret = options.apiSecret ?? 'secret';
  const verifier = new TokenVerifier(apiKey, apiSecret);
  const calls: FakeLiveKitCall[] = [];
  const rooms = new Map<string, Room>();
  const sockets = new Set<Socket>();
  let mode: FakeLiveKitMode = 'up';
  let roomsNotFound = false;
  let latencyMs = 0;

  const handlers: Record<string, Handler> = {
    CreateRoom(body) {
      const name = String(body.name ?? '');
      if (!name) return twirpError(400, 'invalid_argument', 'room name is required');
      const existing = rooms.get(name);
      if (existing) return ok(existing.toJson());
      const room = new Room({
        sid: `RM_${name}`,
        name,
        emptyTimeout: Number(body.emptyTimeout ?? 0),
        departureTimeout: Number(body.departureTimeout ?? 0),
        maxParticipants: Number(body.maxParticipants ?? 0),
        metadata: String(body.metadata ?? ''),
        creationTime: BigInt(Math.floor(Date.now() / 1000)),
      });
      rooms.set(name, room);
      return ok(room.toJson());
    },
    DeleteRoom(body) {
      const name = String(body.room ?? '');
      if (roomsNotFound || !rooms.delete(name)) return twirpError(404, 'not_found', 'requested room does not exist');
      return ok({});
    },
    ListRooms(body) {
      const names = Array.isArray(body.names) ? body.names.map(String) : [];
      const listed = [...rooms.values()].filter((r) => names.length === 0 || names.includes(r.name));
      return ok({ rooms: listed.map((r) => r.toJson()) });
    },
    ListParticipants(body) {
      if (roomsNotFound || !rooms.has(String(body.room))) return twirpError(404, 'not_found', 'room not found');
      return ok({ participants: [] });
    },
    RemoveParticipant(body) {
      if (roomsNotFound || !rooms.has(String(body.room))) return twirpError(404, 'not_found', 'room not found');
      return twirpError(404, 'not_found', 'participant not found');
    },
  };

  async function answer(req: IncomingMessage): Promise<{ answer: TwirpAnswer | null; call: FakeLiveKitCall | null }> {
    const match = req.url?.match(/^\/twirp\/livekit\.(\w+)\/(\w+)$/);
    if (req.method !== 'POST' || !match) return { answer: twirpError(404, 'bad_route', 'no such route'), call: null };
    const [, service = '', method = ''] = match;
    const text = await readBody(req);
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
    const handler = service === 'RoomService' ? handlers[method] : undefined;
    const allowed = requiredGrant[method];
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
