/**
 * A session by typing: the transcript so far, the patient's reply streaming in
 * word by word, the countdown, End. Opened without having started it in this
 * page load (a reload, another tab), it offers to resume first.
 */
import { sessionDoneEventSchema, sessionMetaEventSchema } from '@sp/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { ApiError } from '../api/client';
import { postEventStream } from '../api/event-stream';
import { useCaseStudies, useSessionWithMessages } from '../api/resources';
import { CountdownClock } from '../components/countdown';
import { Dialog } from '../components/dialog';
import { Transcript, type Turn } from '../components/transcript';
import { type Countdown, countdownFrom, resync } from '../session/countdown';
import { type Refusal, refusalOf } from '../session/refusals';
import { attach, forgetSession, isAttached } from '../session/remembered-sessions';
import { EndSessionButton } from '../session/session-ending';

export function TextSessionPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const session = useSessionWithMessages(sessionId);
  const cases = useCaseStudies();
  const [resumed, setResumed] = useState(() => isAttached(sessionId));
  const [turns, setTurns] = useState<Turn[] | null>(null);
  const [clock, setClock] = useState<Countdown | null>(null);
  const [ended, setEnded] = useState(false);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState<Refusal | null>(null);
  const endRef = useRef<HTMLDivElement>(null);

  const data = session.data;
  const caseStudy = cases.data?.find((c) => c.id === data?.content_id);
  const patientName = caseStudy?.patient.name ?? 'Patient';

  useEffect(() => {
    if (!data || turns !== null) return;
    setTurns(data.messages.map((m) => ({ role: m.role, content: m.content, sequence: m.sequence })));
    setEnded(data.status === 'ended');
  }, [data, turns]);
  useEffect(() => {
    if (!data || !resumed || clock) return;
    setClock(countdownFrom(data.duration_limit, data.elapsed_active_time, Date.now(), data.status !== 'ended'));
  }, [data, resumed, clock]);
  useEffect(() => {
    if (turns?.length) endRef.current?.scrollIntoView({ block: 'nearest' });
  }, [turns]);

  if (session.error) {
    const refusal = session.error instanceof ApiError ? refusalOf(session.error, sessionId) : null;
    return <p role="alert">{refusal ? refusal.text : session.error.message}</p>;
  }
  if (!data || turns === null) return <p role="status">Loading your session…</p>;

  if (!resumed && !ended) {
    return (
      <section className="narrow">
        <h1>{caseStudy?.title ?? 'Your session'}</h1>
        <Dialog open title="Resume your session?" onCancel={() => navigate('/')}>
          <p>This session is still in progress. Resume it where you left off, or end it and start over?</p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                attach(sessionId);
                setResumed(true);
              }}
            >
              Resume it
            </button>
            <Link className="button" href={`/cases/${data.content_id}/start/text?start_over=${sessionId}`}>
              End it and start over
            </Link>
            <Link className="button" href="/">
              Back to the cases
            </Link>
          </div>
        </Dialog>
      </section>
    );
  }

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const body = draft.trim();
    if (!body || sending) return;
    setDraft('');
    setNotice(null);
    setSending(true);
    const before = turns;
    setTurns([
      ...before,
      { role: 'user', content: body, sequence: null },
      { role: 'assistant', content: '', sequence: null, pending: true },
    ]);
    const updateReply = (update: (reply: Turn) => Turn) =>
      setTurns((current) => (current ? [...current.slice(0, -1), update(current.at(-1)!)] : current));
    try {
      await postEventStream(`/v1/sessions/${sessionId}/messages`, { body }, (frame) => {
        if (frame.event === 'meta') {
          const { sequence } = sessionMetaEventSchema.parse(frame.data);
          setTurns((current) =>
            current ? current.map((t, i) => (i === current.length - 2 ? { ...t, sequence } : t)) : current,
          );
        } else if (frame.event === 'delta') {
          const { text } = frame.data as { text: string };
          updateReply((reply) => ({ ...reply, content: reply.content + text }));
        } else if (frame.event === 'error') {
          setNotice({
            title: 'The patient could not answer',
            text: 'Something failed while the patient was replying. Try asking again.',
          });
        } else if (frame.event === 'done') {
          const done = sessionDoneEventSchema.parse(frame.data);
          updateReply((reply) => ({ ...reply, sequence: done.sequence, pending: false }));
          setTurns((current) => current?.filter((t) => t.pending || t.sequence !== null || t.content) ?? current);
          setClock(
            (c) => c && resync(c, { elapsed: done.elapsed_active_time, limit: done.duration_limit }, Date.now()),
          );
          if (done.status === 'ended') {
            setEnded(true);
            forgetSession(sessionId);
          }
        }
      });
    } catch (error) {
      setTurns(before);
      setDraft(body);
      if (error instanceof ApiError) {
        setNotice(refusalOf(error, sessionId));
        if (error.status === 410) {
          setEnded(true);
          forgetSession(sessionId);
        }
      } else setNotice({ title: 'Something went wrong', text: String(error) });
    } finally {
      setSending(false);
      void queryClient.invalidateQueries({ queryKey: ['session', sessionId] });
    }
  };

  return (
    <section className="session">
      <header className="session-header">
        <div>
          <h1>{caseStudy?.title ?? 'Your session'}</h1>
          <p className="muted">Typing to {patientName}</p>
          {data.duration_multiplier > 1 && (
            <p className="muted" data-testid="extra-time">
              Your time includes your extra-time accommodation ({data.duration_multiplier}×).
            </p>
          )}
        </div>
        {!ended && <CountdownClock clock={clock} />}
        {!ended && <EndSessionButton sessionId={sessionId} />}
      </header>
      <div className="transcript-box">
        <Transcript turns={turns} patientName={patientName} />
        <div ref={endRef} />
      </div>
      {notice && (
        <div className="notice" role="alert">
          <strong>{notice.title}.</strong> {notice.text}
          {notice.reportSessionId && <Link href={`/sessions/${notice.reportSessionId}/report`}> Read the report.</Link>}
        </div>
      )}
      {ended ? (
        <div className="notice" role="status">
          <p>This session has ended.</p>
          <Link className="button primary" href={`/sessions/${sessionId}/report`}>
            See my report
          </Link>
        </div>
      ) : (
        <form className="composer" onSubmit={send}>
          <label htmlFor="message">Your message to {patientName}</label>
          <textarea
            id="message"
            value={draft}
            rows={2}
            maxLength={8000}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) {
                event.preventDefault();
                event.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <button type="submit" className="primary" disabled={sending || !draft.trim()}>
            {sending ? 'Patient is replying…' : 'Send'}
          </button>
        </form>
      )}
    </section>
  );
}
