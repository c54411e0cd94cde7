/**
 * Everything the patient job needs from the LiveKit room, behind one small
 * interface: who the student is, whether they are here, and closing the room.
 * The job is tested with a stand-in; this file's LiveKit version is tested
 * on its own against a room-like emitter and a Twirp fake of the server API.
 */
import { RoomEvent } from '@livekit/rtc-node';
import { TwirpError } from 'livekit-server-sdk';

export interface Student {
  identity: string;
  /** `tenant_id`, `user_id`, `session_id`, `case_study_id`, from the token the API minted. */
  attributes: Record<string, string>;
}

export interface StudentRoom {
  readonly name: string;
  /** Resolves with the first student to join (at once if one is already there). */
  waitForStudent(): Promise<Student>;
  /** Calls back with false when that student leaves and true when they come back. Returns an unsubscribe. */
  onStudentPresence(identity: string, listener: (present: boolean) => void): () => void;
  /** Deletes the room, which disconnects everyone in it. A room already gone counts as deleted. */
  deleteRoom(): Promise<void>;
  /** The agent leaves; the room and the student are left alone. */
  leave(reason: string): void;
}

/** The part of livekit-server-sdk's RoomServiceClient this needs. */
export interface RoomDeleter {
  deleteRoom(room: string): Promise<void>;
}

interface ParticipantLike {
  identity: string;
  attributes: Record<string, string>;
}

/** The part of @livekit/agents' JobContext this needs. */
export interface JobLike {
  room: {
    name: string | undefined;
    on(
      event: RoomEvent.ParticipantConnected | RoomEvent.ParticipantDisconnected,
      fn: (p: ParticipantLike) => void,
    ): unknown;
    off(
      event: RoomEvent.ParticipantConnected | RoomEvent.ParticipantDisconnected,
      fn: (p: ParticipantLike) => void,
    ): unknown;
  };
  waitForParticipant(): Promise<ParticipantLike>;
  shutdown(reason?: string): void;
}

export class LiveKitStudentRoom implements StudentRoom {
  constructor(
    private readonly job: JobLike,
    private readonly rooms: RoomDeleter,
  ) {}

  get name(): string {
    return this.job.room.name ?? '';
  }

  async waitForStudent(): Promise<Student> {
    const participant = await this.job.waitForParticipant();
    return { identity: participant.identity, attributes: { ...participant.attributes } };
  }

  onStudentPresence(identity: string, listener: (present: boolean) => void): () => void {
    const joined = (p: ParticipantLike) => p.identity === identity && listener(true);
    const left = (p: ParticipantLike) => p.identity === identity && listener(false);
    this.job.room.on(RoomEvent.ParticipantConnected, joined);
    this.job.room.on(RoomEvent.ParticipantDisconnected, left);
    return () => {
      this.job.room.off(RoomEvent.ParticipantConnected, joined);
      this.job.room.off(RoomEvent.ParticipantDisconnected, left);
    };
  }

  async deleteRoom(): Promise<void> {
    try {
      await this.rooms.deleteRoom(this.name);
    } catch (error) {
      if (error instanceof TwirpError && (error.code === 'not_found' || error.status === 404)) return;
      throw error;
    }
  }

  leave(reason: string): void {
    this.job.shutdown(reason);
  }
}
