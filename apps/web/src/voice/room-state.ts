/**
 * What the voice room shows and does as the connection changes: the patient's
 * state in plain words, whether the clock runs, and what to do after the room
 * is lost. A drop or a reload never ends the session: livekit-client's own
 * reconnection comes first, then an offer to resume.
 */
export type PatientState =
  | 'disconnected'
  | 'connecting'
  | 'pre-connect-buffering'
  | 'failed'
  | 'initializing'
  | 'idle'
  | 'listening'
  | 'thinking'
  | 'speaking';

export type Connection = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'signalReconnecting';

export function patientStateWords(state: PatientState, patientName: string): string {
  switch (state) {
    case 'listening':
    case 'idle':
      return `${patientName} is listening`;
    case 'thinking':
      return `${patientName} is thinking`;
    case 'speaking':
      return `${patientName} is speaking`;
    case 'failed':
      return `${patientName} could not join the call`;
    case 'disconnected':
      return 'Not connected';
    default:
      return `Waiting for ${patientName} to join…`;
  }
}

/** The active clock runs only while the student is connected and the patient is in the call. */
export function clockRuns(connection: Connection, state: PatientState): boolean {
  if (connection !== 'connected') return false;
  return state === 'listening' || state === 'idle' || state === 'thinking' || state === 'speaking';
}

export type AfterDisconnect =
  /** The student ended it, or the session has ended on the server (time up): read the report. */
  | { kind: 'report' }
  /** The room is gone but the session lives on: "Connection lost — resume?" */
  | { kind: 'offer-resume' };

/**
 * Decides after livekit-client has given up (the room is disconnected).
 * `sessionStatus`: the session as the API reports it now, or null when the
 * API could not be asked (offline): then resuming is still the safe offer.
 */
export function afterDisconnect(input: { endedByStudent: boolean; sessionStatus: string | null }): AfterDisconnect {
  if (input.endedByStudent || input.sessionStatus === 'ended') return { kind: 'report' };
  return { kind: 'offer-resume' };
}

export type MicrophoneProblem = 'refused' | 'missing' | 'unavailable';

/** Why getUserMedia failed, in the three ways a student can act on. */
export function microphoneProblem(error: unknown): MicrophoneProblem {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'refused';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  return 'unavailable';
}

export const microphoneWords: Record<MicrophoneProblem, string> = {
  refused:
    'Your browser is not letting this page use the microphone. Allow it in the site settings (the icon at the left of the address bar) and try again, or continue by typing.',
  missing: 'No microphone was found. Plug one in and try again, or continue by typing.',
  unavailable:
    'The microphone could not be started. Close other apps that use it and try again, or continue by typing.',
};
