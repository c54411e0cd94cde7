/**
 * Plain words for every refusal a student can meet, with the way forward.
 * The codes and details are the API's contract (@sp/core's error table).
 */
import type { ErrorCode } from '@sp/core';

export interface Refusal {
  title: string;
  text: string;
  /** The session whose report answers "what now?", when there is one. */
  reportSessionId?: string;
  /** Voice could not be reached: typing is the way on. */
  offerTyping?: boolean;
}

export interface RefusalInput {
  status: number;
  code: ErrorCode | 'NETWORK_ERROR';
  message: string;
  details: Record<string, unknown>;
}

/** `sessionId`: the session the call was about (a resume, a turn), when the caller knows it. */
export function refusalOf(error: RefusalInput, sessionId?: string): Refusal {
  const endedId = typeof error.details.session_id === 'string' ? error.details.session_id : sessionId;
  switch (error.code) {
    case 'SESSION_TIMER_EXPIRED':
      return {
        title: 'Your time is used up',
        text: 'This session has used all of its talking time, so it has ended. Your report is being prepared.',
        reportSessionId: endedId,
      };
    case 'SESSION_RECONNECT_EXCEEDED':
      return {
        title: 'No reconnections left',
        text: 'This session has already been resumed as many times as it allows, so it has ended. Your report is being prepared.',
        reportSessionId: endedId,
      };
    case 'SESSION_CONVERSATION_TTL_EXCEEDED':
      return {
        title: 'The time to come back has passed',
        text: 'A session can be resumed within an hour of the last disconnection. That hour has passed, so the session has ended. Your report is being prepared.',
        reportSessionId: endedId,
      };
    case 'SESSION_STAFF_ENDED':
      return {
        title: 'Your instructor ended this session',
        text: 'It can no longer be continued. If it was sent for grading, its report is being prepared.',
        reportSessionId: endedId,
      };
    case 'SESSION_ENDED':
    case 'SESSION_USER_ENDED':
      return { title: 'This session has ended', text: 'It can no longer be continued.', reportSessionId: endedId };
    case 'VALIDATION_ERROR':
      if (typeof error.details.max_attempts === 'number') {
        const allowed = error.details.max_attempts;
        return {
          title: 'No attempts left',
          text: `You have used all ${allowed} attempt${allowed === 1 ? '' : 's'} this case allows. Your earlier sessions and their reports are under My sessions.`,
        };
      }
      return { title: 'That did not work', text: error.message };
    case 'LIVEKIT_UNAVAILABLE':
      return {
        title: 'Voice is unavailable right now',
        text: 'The voice service cannot be reached at the moment. You can carry on by typing to the patient instead.',
        offerTyping: true,
      };
    case 'SESSION_BUSY':
      return {
        title: 'The patient is still answering',
        text: 'Wait for the reply to your last message to finish, then send the next one.',
      };
    case 'SESSION_CHANNEL_CONFLICT':
      return {
        title: 'This session is live in the voice room',
        text: 'You are connected to this session by voice in another tab or device. Leave the voice room there to continue here by typing.',
      };
    case 'SESSION_ACTIVE':
      return {
        title: 'You have a session in progress',
        text: 'Resume it, or end it and start over.',
      };
    case 'NOT_FOUND':
      return { title: 'Not found', text: 'That case or session does not exist, or it is not yours.' };
    case 'NETWORK_ERROR':
      return { title: 'No connection', text: error.message };
    case 'RATE_LIMITED':
      return { title: 'Too many requests', text: 'Please wait a moment and try again.' };
    default:
      return { title: 'Something went wrong', text: error.message };
  }
}
