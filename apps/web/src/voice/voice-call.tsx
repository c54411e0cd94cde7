/** The call itself, inside the LiveKit room: state, visualiser, captions, countdown, mute, End. */
import {
  BarVisualizer,
  RoomAudioRenderer,
  RoomContext,
  useConnectionState,
  useTrackToggle,
  useTranscriptions,
  useVoiceAssistant,
} from '@livekit/components-react';
import type { InitializeResponse } from '@sp/core';
import { useQuery } from '@tanstack/react-query';
import { Room, RoomEvent, Track } from 'livekit-client';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { CountdownClock } from '../components/countdown';
import { type Countdown, countdownFrom, pause, resume, resync } from '../session/countdown';
import { EndSessionButton } from '../session/session-ending';
import { mergeCaptions, segmentOf } from './captions';
import { type Connection, clockRuns, type PatientState, patientStateWords } from './room-state';

/** How often the countdown re-syncs from the API while in the call. */
const RESYNC_MS = 15_000;

export function VoiceCall({
  details,
  title,
  patientName,
  onLeft,
  onUnreachable,
}: {
  details: InitializeResponse;
  title: string;
  patientName: string;
  onLeft: (endedByStudent: boolean) => void;
  onUnreachable: () => void;
}) {
  const [room] = useState(() => new Room());
  const endedByStudent = useRef(false);
  useEffect(() => {
    let leaving = false;
    // A room that never connected was not lost: its failed connect says "unreachable" instead.
    let connected = false;
    const lost = () => {
      if (!leaving && connected) onLeft(endedByStudent.current);
    };
    room.on(RoomEvent.Disconnected, lost);
    const { server_url: url, participant_token: token } = details;
    (url && token ? room.connect(url, token) : Promise.reject(new Error('no room was opened for this session')))
      .then(() => {
        connected = true;
        return room.localParticipant.setMicrophoneEnabled(true);
      })
      .catch(() => {
        if (!leaving && !connected) onUnreachable();
      });
    return () => {
      leaving = true;
      room.off(RoomEvent.Disconnected, lost);
      void room.disconnect();
    };
  }, [room, details, onLeft, onUnreachable]);

  return (
    <RoomContext.Provider value={room}>
      <RoomAudioRenderer />
      <CallView
        details={details}
        title={title}
        patientName={patientName}
        onEnding={() => {
          endedByStudent.current = true;
        }}
      />
    </RoomContext.Provider>
  );
}

function CallView({
  details,
  title,
  patientName,
  onEnding,
}: {
  details: InitializeResponse;
  title: string;
  patientName: string;
  onEnding: () => void;
}) {
  const sessionId = details.session.id;
  const { state, audioTrack } = useVoiceAssistant();
  const connection = useConnectionState() as Connection;
  const transcriptions = useTranscriptions();
  const microphone = useTrackToggle({ source: Track.Source.Microphone });
  const [clock, setClock] = useState<Countdown>(() =>
    countdownFrom(details.duration_limit, details.elapsed_active_time, Date.now()),
  );
  const running = clockRuns(connection, state as PatientState);
  useEffect(() => {
    setClock((c) => (running ? resume(c, Date.now()) : pause(c, Date.now())));
  }, [running]);
  const figure = useQuery({
    queryKey: ['session-clock', sessionId],
    queryFn: () => api<{ elapsed_active_time: number; duration_limit: number }>(`/v1/sessions/${sessionId}`),
    refetchInterval: RESYNC_MS,
    enabled: connection === 'connected',
  });
  useEffect(() => {
    if (!figure.data) return;
    const { elapsed_active_time: elapsed, duration_limit: limit } = figure.data;
    setClock((c) => resync(c, { elapsed, limit }, Date.now()));
  }, [figure.data]);

  const captions = mergeCaptions(transcriptions.map(segmentOf), 'user');
  return (
    <section className="session">
      <header className="session-header">
        <div>
          <h1>{title}</h1>
          <p className="room-state" role="status">
            {connection === 'reconnecting' || connection === 'signalReconnecting'
              ? 'Connection interrupted — reconnecting…'
              : patientStateWords(state as PatientState, patientName)}
          </p>
        </div>
        <CountdownClock clock={clock} />
      </header>
      <BarVisualizer className="visualiser" state={state} track={audioTrack} barCount={7} aria-hidden="true" />
      <div className="actions">
        <button type="button" aria-pressed={!microphone.enabled} onClick={() => microphone.toggle()}>
          {microphone.enabled ? 'Mute' : 'Unmute'}
        </button>
        <EndSessionButton sessionId={sessionId} onEnding={onEnding} />
      </div>
      <h2>Live captions</h2>
      <ol className="transcript captions" aria-label="Live captions">
        {captions.length === 0 && <li className="muted">Captions of both sides appear here.</li>}
        {captions.map((caption) => (
          <li key={caption.key} className={`turn turn-${caption.speaker === 'student' ? 'user' : 'assistant'}`}>
            <span className="speaker">{caption.speaker === 'student' ? 'You' : patientName}</span>
            <span className="content">{caption.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
