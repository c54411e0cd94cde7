/**
 * The voice room: asks for the microphone (saying why), joins the LiveKit
 * room initialize opened, shows the patient's state, a visualiser, live
 * captions of both sides and the countdown, with mute and End. A drop is left
 * to livekit-client's reconnection; a lost room (or a reload) offers to
 * resume; an unreachable LiveKit offers to carry on by typing. It never calls
 * /end except on the student's confirmed End.
 */
import type { InitializeResponse } from '@sp/core';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api } from '../api/client';
import { useCaseStudies, useSessionWithMessages } from '../api/resources';
import { attach, rememberSession } from '../session/remembered-sessions';
import { connectionFor, dropConnection } from '../voice/connection-store';
import { afterDisconnect, type MicrophoneProblem, microphoneProblem, microphoneWords } from '../voice/room-state';
import { VoiceCall } from '../voice/voice-call';

type Phase =
  | { kind: 'ask-microphone' }
  | { kind: 'microphone-problem'; problem: MicrophoneProblem }
  | { kind: 'in-call'; details: InitializeResponse }
  | { kind: 'unreachable' }
  | { kind: 'lost' };

export function VoiceRoomPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  const [, navigate] = useLocation();
  const session = useSessionWithMessages(sessionId);
  const cases = useCaseStudies();
  const [phase, setPhase] = useState<Phase>(() =>
    connectionFor(sessionId) ? { kind: 'ask-microphone' } : { kind: 'lost' },
  );
  const caseStudy = cases.data?.find((c) => c.id === session.data?.content_id);
  const patientName = caseStudy?.patient.name ?? 'The patient';

  const typeInstead = () => {
    dropConnection(sessionId);
    if (session.data) rememberSession(session.data.content_id, sessionId, 'text');
    attach(sessionId);
    navigate(`/sessions/${sessionId}/text`);
  };
  const join = async () => {
    try {
      // Asked here, with the reason on screen, rather than by the room's first publish.
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of stream.getTracks()) track.stop();
    } catch (error) {
      setPhase({ kind: 'microphone-problem', problem: microphoneProblem(error) });
      return;
    }
    const details = connectionFor(sessionId);
    setPhase(details ? { kind: 'in-call', details } : { kind: 'lost' });
  };
  const onLeft = async (endedByStudent: boolean) => {
    dropConnection(sessionId);
    let status: string | null = null;
    try {
      status = (await api<{ status: string }>(`/v1/sessions/${sessionId}`)).status;
    } catch {}
    const next = afterDisconnect({ endedByStudent, sessionStatus: status });
    if (next.kind === 'report') navigate(`/sessions/${sessionId}/report`);
    else setPhase({ kind: 'lost' });
  };
  const typingButton = (
    <button type="button" onClick={typeInstead}>
      Continue by typing
    </button>
  );
  const title = caseStudy?.title ?? 'Voice session';

  switch (phase.kind) {
    case 'in-call':
      return (
        <VoiceCall
          details={phase.details}
          title={title}
          patientName={patientName}
          onLeft={onLeft}
          onUnreachable={() => {
            dropConnection(sessionId);
            setPhase({ kind: 'unreachable' });
          }}
        />
      );
    case 'ask-microphone':
      return (
        <section className="narrow">
          <h1>{title}</h1>
          <p>
            You will talk to {patientName} out loud. The patient hears you through your microphone, so your browser will
            ask to use it. Nothing is recorded except the words of the conversation, which are kept as the transcript.
          </p>
          <div className="actions">
            <button type="button" className="primary" onClick={join}>
              Allow the microphone and join
            </button>
            {typingButton}
          </div>
        </section>
      );
    case 'microphone-problem':
      return (
        <section className="narrow">
          <h1>The microphone is not available</h1>
          <p role="alert">{microphoneWords[phase.problem]}</p>
          <div className="actions">
            <button type="button" className="primary" onClick={join}>
              Try again
            </button>
            {typingButton}
          </div>
        </section>
      );
    case 'unreachable':
      return (
        <section className="narrow">
          <h1>Voice is unavailable right now</h1>
          <p role="alert">
            The voice service could not be reached, so the call could not start. Your session is kept: you can carry on
            with it by typing to {patientName}.
          </p>
          <div className="actions">
            <button type="button" className="primary" onClick={typeInstead}>
              Continue by typing
            </button>
            <Link className="button" href="/">
              Back to the cases
            </Link>
          </div>
        </section>
      );
    case 'lost':
      if (session.data?.status === 'ended') {
        return (
          <section className="narrow">
            <h1>This session has ended</h1>
            <Link className="button primary" href={`/sessions/${sessionId}/report`}>
              See my report
            </Link>
          </section>
        );
      }
      return (
        <section className="narrow">
          <h1>Connection lost — resume?</h1>
          <p>
            You are no longer connected to the call. Your session is still in progress and its clock is stopped. Resume
            to reconnect and carry on where you left off.
          </p>
          <div className="actions">
            <Link
              className="button primary"
              href={session.data ? `/cases/${session.data.content_id}/start/voice?resume=${sessionId}` : '/'}
            >
              Resume
            </Link>
            {typingButton}
            <Link className="button" href="/">
              Back to the cases
            </Link>
          </div>
        </section>
      );
  }
}
