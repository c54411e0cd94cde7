/** Closing a session's LiveKit room is best effort: the session's state lives in Postgres, not in the room. */
import type { Logger } from 'pino';
import { describe, type LiveKitRooms } from './livekit.js';

export async function closeRoom(livekit: LiveKitRooms, roomName: string, log: Logger): Promise<void> {
  try {
    const result = await livekit.deleteRoom(roomName);
    log.debug({ room_name: roomName, result }, 'livekit room closed');
  } catch (error) {
    log.warn({ room_name: roomName, reason: describe(error) }, 'livekit room could not be closed');
  }
}
