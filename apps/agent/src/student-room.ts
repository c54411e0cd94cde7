/**
 * Everything the patient job needs from the LiveKit room, behind one small
 * interface: who the student is, whether they are here, and closing the room.
 * The job is tested with a stand-in; this file's LiveKit version is tested
 * on its own against a room-like emitter and a Twirp fake of the server API.
 */
import { ConnectionQuality, RoomEvent } from '@livekit/rtc-node';
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
  /**
   * Calls back with false when that student leaves (or, when so configured, their connection is
   * lost) and true when they come back. Returns an unsubscribe.
   */
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

type PresenceEvent = RoomEvent.ParticipantConnected | RoomEvent.ParticipantDisconnected;
type QualityListener = (quality: ConnectionQuality, p: ParticipantLike) => void;

/** The part of @livekit/agents' JobContext this needs. */
export interface JobLike {
  room: {
    name: string | undefined;
    on(event: PresenceEvent, fn: (p: ParticipantLike) => void): unknown;
    on(event: RoomEvent.ConnectionQualityChanged, fn: QualityListener): unknown;
    off(event: PresenceEvent, fn: (p: ParticipantLike) => void): unknown;
    off(event: RoomEvent.ConnectionQualityChanged, fn: QualityListener): unknown;
  };
  waitForParticipant(): Promise<ParticipantLike>;
  shutdown(reason?: string): void;
}

export interface StudentRoomOptions {
  /**
   * Count a student whose connection quality is LOST as gone until it comes back. While their
   * client tries to resume a dropped connection LiveKit keeps them in the room, so otherwise the
   * clock runs through the drop with no audio.
   */
  pauseOnLostConnection?: boolean;
}

export class LiveKitStudentRoom implements StudentRoom {
  constructor(
    private readonly job: JobLike,
    private readonly rooms: RoomDeleter,
    private readonly options: StudentRoomOptions = {},
  ) {}

  get name(): string {
    return this.job.room.name ?? '';
  }

  async waitForStudent(): Promise<Student> {
    const participant = await this.job.waitForParticipant();
    return { identity: participant.identity, attributes: { ...participant.attributes } };
  }

  onStudentPresence(identity: string, listener: (present: boolean) => void): () => void {
    let lost = false;
    const joined = (p: ParticipantLike) => {
      if (p.identity !== identity) return;
      lost = false;
      listener(true);
    };
    const left = (p: ParticipantLike) => p.identity === identity && listener(false);
    // Only the changes to and from LOST count; POOR, GOOD and EXCELLENT all mean the student is there.
    const quality: QualityListener = (q, p) => {
      if (p.identity !== identity || (q === ConnectionQuality.QUALITY_LOST) === lost) return;
      lost = !lost;
      listener(!lost);
    };
    this.job.room.on(RoomEvent.ParticipantConnected, joined);
    this.job.room.on(RoomEvent.ParticipantDisconnected, left);
    if (this.options.pauseOnLostConnection) this.job.room.on(RoomEvent.ConnectionQualityChanged, quality);
    return () => {
      this.job.room.off(RoomEvent.ParticipantConnected, joined);
      this.job.room.off(RoomEvent.ParticipantDisconnected, left);
      this.job.room.off(RoomEvent.ConnectionQualityChanged, quality);
    };
  }

  // Not ctx.deleteRoom() (@livekit/agents 1.9): it turns every failure into a warning of its own, and a
  // refused deletion must reach our log as an error while a room already gone counts as deleted (tests).
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
