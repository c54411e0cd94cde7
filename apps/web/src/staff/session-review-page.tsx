/**
 * One session for staff: who and what, its live status (asked again every few
 * seconds until nothing about it can change by itself), the transcript and the
 * report side by side, and the actions: end a live session (graded or not),
 * regrade an ended one, and confirm or correct each item's verdict with a note.
 */
import type { StaffReport, StaffReportItem, StaffSessionDetail } from '@sp/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'wouter';
import { ApiError } from '../api/client';
import { endAsStaff, regrade, reviewItem, useGraderAgreement, useStaffCases, useStaffSession } from '../api/staff';
import { Dialog } from '../components/dialog';
import { EvidenceQuotes, graderWords, ReportNotes, verdictText } from '../components/report-parts';
import { Transcript, useQuotedTurn } from '../components/transcript';
import { formatClock } from '../session/countdown';
import { channelWords, percent, statusText } from './staff-words';

export function SessionReviewPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  const session = useStaffSession(sessionId);
  const cases = useStaffCases();
  const patientName = cases.data?.find((c) => c.id === session.data?.content_id)?.patient.name ?? 'Patient';
  const { highlighted, showTurn } = useQuotedTurn();

  if (session.error) {
    return (
      <section>
        <h1>Session</h1>
        <p role="alert">
          {session.error instanceof ApiError && session.error.status === 404
            ? 'There is no such session in your tenant.'
            : `The session could not be loaded: ${session.error.message}`}
        </p>
        <Link href="/staff/sessions">Back to the sessions</Link>
      </section>
    );
  }
  const s = session.data;

  return (
    <section className="staff review">
      <h1>Session{s ? `: ${s.case_title}` : ''}</h1>
      <p>
        <Link href="/staff/sessions">All sessions</Link>
      </p>
      {!s ? (
        <p>Loading…</p>
      ) : (
        <>
          <SessionFacts session={s} />
          <SessionActions session={s} />
          <div className="side-by-side">
            <div>
              <h2>Transcript</h2>
              {s.messages.length === 0 ? (
                <p className="muted">No messages yet.</p>
              ) : (
                <div className="transcript-box">
                  <Transcript
                    turns={s.messages}
                    patientName={patientName}
                    studentName="Student"
                    highlighted={highlighted}
                  />
                </div>
              )}
            </div>
            <div>
              <h2>Report</h2>
              <ReportSide session={s} onQuote={showTurn} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function SessionFacts({ session: s }: { session: StaffSessionDetail }) {
  return (
    <dl className="facts">
      <dt>Student</dt>
      <dd>
        <Link href={`/staff/students/${encodeURIComponent(s.user_id)}`}>{s.user_id}</Link>
      </dd>
      <dt>Status</dt>
      <dd data-testid="session-status">
        {statusText(s)}
        {s.ended_by ? ` (${s.ended_by})` : ''}
      </dd>
      <dt>Channel</dt>
      <dd>{channelWords[s.channel]}</dd>
      <dt>Attempt</dt>
      <dd>
        {s.preview ? 'a preview (not counted)' : `number ${s.attempt_number}`}
        {s.duration_multiplier !== 1 ? `, with ${s.duration_multiplier}× time` : ''}
      </dd>
      <dt>Started</dt>
      <dd>{s.start_time ? new Date(s.start_time).toLocaleString() : '—'}</dd>
      <dt>Time used</dt>
      <dd data-testid="time-used">
        {formatClock(s.elapsed_active_time)} of {formatClock(s.duration_limit)}
      </dd>
    </dl>
  );
}

function SessionActions({ session: s }: { session: StaffSessionDetail }) {
  const queryClient = useQueryClient();
  const [confirmEnd, setConfirmEnd] = useState(false);
  const [graded, setGraded] = useState(true);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['staff'] });
  const ending = useMutation({
    mutationFn: () => endAsStaff(s.id, { graded }),
    onSuccess: () => {
      setConfirmEnd(false);
      return refresh();
    },
  });
  const regrading = useMutation({ mutationFn: () => regrade(s.id), onSuccess: refresh });
  const live = s.status !== 'ended';
  const grading = s.grading_status === 'pending' || s.grading_status === 'running';
  return (
    <>
      <div className="actions">
        {live && (
          <button type="button" className="danger" onClick={() => setConfirmEnd(true)}>
            End this session
          </button>
        )}
        {!live && (
          <button type="button" onClick={() => regrading.mutate()} disabled={regrading.isPending || grading}>
            Regrade
          </button>
        )}
      </div>
      {regrading.error && <p role="alert">The regrade was refused: {regrading.error.message}</p>}
      {regrading.isSuccess && grading && <p role="status">Regrade queued.</p>}
      <Dialog open={confirmEnd} title="End this session for the student?" onCancel={() => setConfirmEnd(false)}>
        <p>The student's session stops now; they see that staff ended it.</p>
        <label className="check">
          <input type="checkbox" checked={graded} onChange={(e) => setGraded(e.target.checked)} /> Grade it
        </label>
        {ending.error && <p role="alert">The session could not be ended: {ending.error.message}</p>}
        <div className="actions">
          <button type="button" className="danger primary" disabled={ending.isPending} onClick={() => ending.mutate()}>
            End the session
          </button>
          <button type="button" onClick={() => setConfirmEnd(false)}>
            Keep it running
          </button>
        </div>
      </Dialog>
    </>
  );
}

function ReportSide({ session: s, onQuote }: { session: StaffSessionDetail; onQuote: (sequence: number) => void }) {
  const report = s.report;
  if (s.status !== 'ended') {
    return <p className="muted">The session is still in progress: its report follows when it ends.</p>;
  }
  if (!report) return <p>This session was not sent for grading.</p>;
  if (report.status === 'pending' || report.status === 'running') return <p className="waiting">Grading…</p>;
  if (report.status === 'failed') return <p role="alert">Grading failed: {report.error ?? 'unknown error'}.</p>;
  return <StaffReportView session={s} report={report} onQuote={onQuote} />;
}

function StaffReportView({
  session,
  report,
  onQuote,
}: {
  session: StaffSessionDetail;
  report: StaffReport;
  onQuote: (sequence: number) => void;
}) {
  const contentOf = new Map(session.messages.map((t) => [t.sequence, t.content]));
  const agreement = useGraderAgreement();
  const forCase = agreement.data?.by_case.find((c) => c.content_id === session.content_id);
  return (
    <div>
      <p className="score">
        Score: <strong data-testid="score">{report.score}%</strong>
        {report.grader_score !== report.score && (
          <span className="muted" data-testid="grader-score">
            {' '}
            (the grader gave {report.grader_score}%)
          </span>
        )}
      </p>
      <p className="muted">{graderWords(report)}</p>
      <p data-testid="case-agreement">
        Grader agreement on this case:{' '}
        {forCase ? `${percent(forCase.agreement)} of ${forCase.reviewed_items} reviewed items` : percent(null)}
      </p>
      {report.needs_review && (
        <p className="notice">
          Integrity flags: the student addressed the grader in turn
          {report.integrity_flags.length === 1 ? '' : 's'} {report.integrity_flags.map((f) => f.turn).join(', ')}.
        </p>
      )}
      <h2>Rubric</h2>
      <ul className="rubric">
        {report.items.map((item) => (
          <li key={item.item_id} className={`verdict-${item.verdict}`} data-item-id={item.item_id}>
            <h3>
              {item.title}: <span className="verdict">{verdictText[item.verdict]}</span>
            </h3>
            {item.verdict !== item.grader_verdict && (
              <p className="correction-note">
                Grader: {verdictText[item.grader_verdict]} · Instructor: {verdictText[item.verdict]}
              </p>
            )}
            <p>{item.justification}</p>
            <EvidenceQuotes
              evidence={item.evidence}
              contentOf={contentOf}
              onQuote={onQuote}
              label="Evidence from the student's turns"
            />
            <ItemReview sessionId={session.id} item={item} />
          </li>
        ))}
      </ul>
      <ReportNotes strengths={report.strengths} improvements={report.improvements} narrative={report.narrative} />
    </div>
  );
}

/** Confirm the grader's verdict, or correct it with a note; the latest review is shown. */
function ItemReview({ sessionId, item }: { sessionId: string; item: StaffReportItem }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const verdictRef = useRef<HTMLSelectElement>(null);
  // Opening the form takes the focus to its first field (the Correct button is gone).
  useEffect(() => {
    if (open) verdictRef.current?.focus();
  }, [open]);
  const review = useMutation({
    mutationFn: (body: Parameters<typeof reviewItem>[2]) => reviewItem(sessionId, item.item_id, body),
    onSuccess: () => {
      setOpen(false);
      return queryClient.invalidateQueries({ queryKey: ['staff'] });
    },
  });
  const done = item.review;
  return (
    <div className="correction">
      {done && (
        <p data-testid="review">
          {done.action === 'confirm' ? 'Confirmed' : `Corrected to ${verdictText[done.verdict]}`} by {done.reviewed_by}
          {done.note ? `: “${done.note}”` : ''}
        </p>
      )}
      {!open ? (
        <div className="actions">
          <button type="button" onClick={() => review.mutate({ action: 'confirm' })} disabled={review.isPending}>
            Confirm<span className="visually-hidden"> {item.title}</span>
          </button>
          <button type="button" onClick={() => setOpen(true)}>
            Correct<span className="visually-hidden"> {item.title}</span>
          </button>
        </div>
      ) : (
        <form
          aria-label={`Correct ${item.title}`}
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            review.mutate({
              action: 'correct',
              verdict: form.get('verdict') as StaffReportItem['verdict'],
              note: String(form.get('note') ?? ''),
            });
          }}
        >
          <label>
            Verdict
            <select name="verdict" defaultValue={item.verdict} ref={verdictRef}>
              {Object.entries(verdictText).map(([value, words]) => (
                <option key={value} value={value}>
                  {words}
                </option>
              ))}
            </select>
          </label>
          <label>
            Note (why)
            <textarea name="note" required rows={2} maxLength={2000} />
          </label>
          <div className="actions">
            <button type="submit" className="primary" disabled={review.isPending}>
              Save correction
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {review.error && <p role="alert">The review was refused: {review.error.message}</p>}
    </div>
  );
}
