/**
 * Starting (or resuming) a session of a case: initialize, then the voice room
 * or the typing page. A session already in progress asks "resume, or end it
 * and start over?"; every refusal is shown in plain words.
 */
import type { InitializeResponse } from '@sp/core';
import { useEffect, useRef, useState } from 'react';
import { useLocation, useParams, useSearch } from 'wouter';
import { ApiError } from '../api/client';
import { endSession, initialize } from '../api/resources';
import { Dialog } from '../components/dialog';
import { RefusalView } from '../components/refusal-view';
import { type Refusal, refusalOf } from '../session/refusals';
import { attach, forgetSession, rememberSession, type SessionMode } from '../session/remembered-sessions';
import { keepConnection } from '../voice/connection-store';

type StartState =
  | { kind: 'working'; text: string }
  | { kind: 'active'; sessionId: string }
  | { kind: 'refused'; refusal: Refusal; sessionId?: string };

export function StartPage() {
  const { caseId, mode: modeParam } = useParams<{ caseId: string; mode: string }>();
  const mode: SessionMode = modeParam === 'voice' ? 'voice' : 'text';
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const [state, setState] = useState<StartState>({ kind: 'working', text: 'Starting your session…' });

  const enter = (details: InitializeResponse, as: SessionMode) => {
    const id = details.session.id;
    rememberSession(caseId, id, as);
    attach(id);
    if (as === 'voice') keepConnection(details);
    navigate(`/sessions/${id}/${as}`, { replace: true });
  };
  const typeInstead = (sessionId: string) => {
    rememberSession(caseId, sessionId, 'text');
    attach(sessionId);
    navigate(`/sessions/${sessionId}/text`, { replace: true });
  };
  const refuse = (error: unknown, sessionId?: string) => {
    if (error instanceof ApiError) setState({ kind: 'refused', refusal: refusalOf(error, sessionId), sessionId });
    else setState({ kind: 'refused', refusal: { title: 'Something went wrong', text: String(error) } });
  };

  const start = async (as: SessionMode) => {
    setState({ kind: 'working', text: 'Starting your session…' });
    try {
      enter(await initialize({ content_id: caseId, ...(as === 'text' && { channel: 'text' as const }) }), as);
    } catch (error) {
      if (
        error instanceof ApiError &&
        error.code === 'SESSION_ACTIVE' &&
        typeof error.details.session_id === 'string'
      ) {
        setState({ kind: 'active', sessionId: error.details.session_id });
      } else refuse(error);
    }
  };
  const resume = async (sessionId: string) => {
    // Typing needs no new room: the same session simply carries on.
    if (mode === 'text') return typeInstead(sessionId);
    setState({ kind: 'working', text: 'Resuming your session…' });
    try {
      enter(await initialize({ content_id: caseId, session_id: sessionId }), 'voice');
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) forgetSession(sessionId);
      refuse(error, sessionId);
    }
  };
  const startOver = async (sessionId: string) => {
    setState({ kind: 'working', text: 'Ending your previous session…' });
    try {
      await endSession(sessionId);
    } catch (error) {
      // Already ended is what we wanted.
      if (!(error instanceof ApiError && error.status === 410)) return refuse(error, sessionId);
    }
    forgetSession(sessionId);
    await start(mode);
  };

  const began = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per visit to the start page
  useEffect(() => {
    if (began.current) return;
    began.current = true;
    const resumeId = search.get('resume');
    const startOverId = search.get('start_over');
    if (resumeId) void resume(resumeId);
    else if (startOverId) void startOver(startOverId);
    else void start(mode);
  }, []);

  if (state.kind === 'refused') {
    const { sessionId } = state;
    return (
      <RefusalView refusal={state.refusal} onTyping={() => (sessionId ? typeInstead(sessionId) : void start('text'))} />
    );
  }
  return (
    <section className="narrow">
      <h1>{mode === 'voice' ? 'Talk to the patient' : 'Type to the patient'}</h1>
      {state.kind === 'working' && <p role="status">{state.text}</p>}
      <Dialog open={state.kind === 'active'} title="You have a session in progress" onCancel={() => navigate('/')}>
        <p>You have a session in progress for this case: resume it, or end it and start over?</p>
        <div className="actions">
          <button type="button" className="primary" onClick={() => state.kind === 'active' && resume(state.sessionId)}>
            Resume it
          </button>
          <button type="button" onClick={() => state.kind === 'active' && startOver(state.sessionId)}>
            End it and start over
          </button>
          <button type="button" onClick={() => navigate('/')}>
            Cancel
          </button>
        </div>
      </Dialog>
    </section>
  );
}
