/**
 * A stand-in for the parts of LiveKit's JobContext the student room uses: a
 * room that emits participant events, the student who joins it, and a record
 * of the job shutting down.
 */
import { EventEmitter } from 'node:events';
import { RoomEvent } from '@livekit/rtc-node';
import type { JobLike, Student } from '../../src/student-room.js';

export class FakeJob implements JobLike {
  readonly room: EventEmitter & { name: string };
  readonly shutdowns: string[] = [];

  constructor(
    roomName: string,
    private readonly student: Student,
  ) {
    this.room = Object.assign(new EventEmitter(), { name: roomName });
  }

  async waitForParticipant() {
    return this.student;
  }

  shutdown(reason = ''): void {
    this.shutdowns.push(reason);
  }

  studentLeaves(): void {
    this.room.emit(RoomEvent.ParticipantDisconnected, this.student);
  }

  studentReturns(): void {
    this.room.emit(RoomEvent.ParticipantConnected, this.student);
  }
}
