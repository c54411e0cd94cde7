/**
 * The API's view of LiveKit: open a room for a session with the patient agent
 * dispatched into it, close it, and mint the student's join token.
 *
 * The dispatch travels with CreateRoom because LiveKit fixes a room's agent
 * dispatches when the room is created: a join token's roomConfig is applied
 * only when the join itself creates the room, and is silently ignored for a
 * room that exists (livekit/livekit#4390). Our rooms always exist before the
 * student joins, and infra/livekit.yaml turns auto-creation off.
 */
import { randomBytes } from 'node:crypto';
import { type DispatchMetadata, DomainError, type ParticipantAttributes, roomNameFrom } from '@sp/core';
import { AccessToken, RoomAgentDispatch, RoomServiceClient, TwirpError } from 'livekit-server-sdk';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config.js';

/** A new LiveKit room name (`mind-` and 12 random hex characters): a new session, and each resume. */
export const newRoomName = (): string => roomNameFrom(randomBytes(6));

/** Who is joining which room, and what the agent reads from their attributes. */
export interface SessionParticipant {
  roomName: string;
  tenantId: string;
  userId: string;
  sessionId: string;
  caseStudyId: string;
}

export interface LiveKitRooms {
  /** The URL the browser connects to. */
  readonly serverUrl: string;
  /**
   * Opens the room with the agent AGENT_NAME dispatched into it.
   * Throws DomainError LIVEKIT_UNAVAILABLE when LiveKit refuses or cannot be reached.
   */
  createRoom(participant: SessionParticipant): Promise<void>;
  /** `gone` when the room no longer exists, which is not an error. */
  deleteRoom(roomName: string): Promise<'deleted' | 'gone'>;
  participantToken(participant: SessionParticipant): Promise<string>;
}

export const PARTICIPANT_NAME = 'user';
/** Long enough to join after the answer arrives; a resume mints a fresh one. */
export const PARTICIPANT_TOKEN_TTL_SECONDS = 15 * 60;
/**
 * A room nobody joined closes after this: as long as the join token lives, so a
 * student who joins late still finds the room (with auto-create off, LiveKit would
 * refuse the join); after that the student resumes into a new one.
 */
export const ROOM_EMPTY_TIMEOUT_SECONDS = PARTICIPANT_TOKEN_TTL_SECONDS;
/** After the last participant leaves: a short grace, since a resume opens a new room anyway. */
export const ROOM_DEPARTURE_TIMEOUT_SECONDS = 20;
/** The student; the agent does not count towards LiveKit's limit, the spare covers a quick rejoin. */
export const ROOM_MAX_PARTICIPANTS = 2;

export function participantIdentity(p: Pick<SessionParticipant, 'userId' | 'sessionId'>): string {
  return `${p.userId}:${p.sessionId}`;
}

/** What the worker reads to admit the student (core's participantAttributesSchema). */
const participantAttributes = (p: SessionParticipant): ParticipantAttributes => ({
  tenant_id: p.tenantId,
  user_id: p.userId,
  session_id: p.sessionId,
  case_study_id: p.caseStudyId,
});

/**
 * Which session a room and its job are for (core's dispatchMetadataSchema). The worker admits on the
 * signed attributes alone; it reads the dispatch's copy to name the session in the job's logs, and the
 * room's copy is how an operator (`lk room list`) and the tests find a session's rooms.
 */
const sessionMetadata = (p: SessionParticipant) =>
  JSON.stringify({ session_id: p.sessionId, tenant_id: p.tenantId } satisfies DispatchMetadata);

/**
 * When a CreateRoom gets no answer (a timeout, a broken connection), LiveKit
 * may still have created the room, or create it later: the request was sent
 * and a server does not cancel it because its caller gave up. The room is then
 * deleted in the background, at these multiples of LIVEKIT_REQUEST_TIMEOUT_SECONDS
 * after the failure (5, 10, 20, 40, 80 and 160 s by default), until one delete
 * finds it. DeleteRoom is idempotent, and a "not found" means only that the
 * room does not exist yet, so every slot is tried until one deletes it.
 */
export const ORPHAN_DELETE_AFTER = [1, 2, 4, 8, 16, 32] as const;

export function liveKitRooms(config: ApiConfig, options: { logger?: Logger } = {}): LiveKitRooms {
  // A ws(s):// URL is fine: the SDK's Twirp client maps it to http(s):// itself.
  // A LiveKit that hangs must not hold the student (or a pool connection) longer than this.
  const client = new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, {
    requestTimeout: config.LIVEKIT_REQUEST_TIMEOUT_SECONDS,
    failover: false,
  });
  const deleteRoom = async (roomName: string): Promise<'deleted' | 'gone'> => {
    try {
      await client.deleteRoom(roomName);
      return 'deleted';
    } catch (error) {
      if (error instanceof TwirpError && (error.code === 'not_found' || error.status === 404)) return 'gone';
      throw error;
    }
  };
  const deleteOrphan = (roomName: string) => {
    const log = options.logger?.child({ room_name: roomName });
    const attempt = async (slot: number) => {
      try {
        if ((await deleteRoom(roomName)) === 'deleted') {
          log?.info({ attempt: slot + 1 }, 'livekit room created after its request timed out: deleted');
          return;
        }
      } catch (error) {
        log?.warn({ attempt: slot + 1, reason: describe(error) }, 'livekit orphan room: delete failed, will retry');
      }
      const next = ORPHAN_DELETE_AFTER[slot + 1];
      if (next === undefined) return;
      schedule(slot + 1, (next - (ORPHAN_DELETE_AFTER[slot] ?? 0)) * config.LIVEKIT_REQUEST_TIMEOUT_SECONDS);
    };
    // Not tracked as request work: shutdown need not wait for it, and LiveKit empties an unjoined room itself.
    const schedule = (slot: number, seconds: number) => setTimeout(() => void attempt(slot), seconds * 1000).unref();
    schedule(0, ORPHAN_DELETE_AFTER[0] * config.LIVEKIT_REQUEST_TIMEOUT_SECONDS);
  };
  return {
    serverUrl: config.LIVEKIT_PUBLIC_URL ?? config.LIVEKIT_URL,

    async createRoom(p) {
      try {
        await client.createRoom({
          name: p.roomName,
          emptyTimeout: ROOM_EMPTY_TIMEOUT_SECONDS,
          departureTimeout: ROOM_DEPARTURE_TIMEOUT_SECONDS,
          maxParticipants: ROOM_MAX_PARTICIPANTS,
          metadata: sessionMetadata(p),
          // The patient: the worker registers under AGENT_NAME and gets a job only from a dispatch naming it.
          agents: [new RoomAgentDispatch({ agentName: config.AGENT_NAME, metadata: sessionMetadata(p) })],
        });
      } catch (error) {
        // No answer at all (rather than LiveKit's refusal): the room may exist now or appear later.
        if (!(error instanceof TwirpError)) deleteOrphan(p.roomName);
        // The reason goes to the log (errors.ts logs a 5xx's cause), not to the student.
        throw Object.assign(
          new DomainError('LIVEKIT_UNAVAILABLE', 'The voice service is unavailable; please try again shortly'),
          { cause: new Error(describe(error)) },
        );
      }
    },

    deleteRoom,

    async participantToken(p) {
      const token = new AccessToken(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, {
        identity: participantIdentity(p),
        name: PARTICIPANT_NAME,
        ttl: PARTICIPANT_TOKEN_TTL_SECONDS,
        attributes: participantAttributes(p),
      });
      // No data publishing (LiveKit grants it unless told not to): the student talks to the patient by voice
      // here, and types through the session's text channel, never through the room.
      token.addGrant({ roomJoin: true, room: p.roomName, canPublish: true, canSubscribe: true, canPublishData: false });
      return token.toJwt();
    },
  };
}

/** A short, log-safe reason for a failed LiveKit call. */
export function describe(error: unknown): string {
  if (error instanceof TwirpError) return `${error.status} ${error.code ?? ''} ${error.message}`.trim();
  if (error instanceof Error) return error.cause instanceof Error ? error.cause.message : error.message;
  return String(error);
}

/** Null when LiveKit's API answers; otherwise why not (for one line at start). */
export async function liveKitUnreachableReason(config: ApiConfig): Promise<string | null> {
  const client = new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, {
    requestTimeout: Math.min(2, config.LIVEKIT_REQUEST_TIMEOUT_SECONDS),
    failover: false,
  });
  try {
    await client.listRooms([]);
    return null;
  } catch (error) {
    return describe(error);
  }
}
