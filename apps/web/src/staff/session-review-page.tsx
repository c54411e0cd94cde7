/**
 * One session for staff: who and what, its live status (asked again every few
 * seconds until it ends), the transcript and the report side by side, and the
 * actions: end a live session, regrade an ended one.
 */

import type { SessionWithMessages } from '@sp/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link, useParams } from 'wouter';
import { ApiError, api } from '../api/client';
import { fetchReport, isGraded, type ReportState } from '../api/resources';
import { LIVE_POLL_MS, regrade, useStaffCases } from '../api/staff';
import { Transcript } from '../components/transcript';
import { CompletedReport } from '../pages/report';
import { formatClock } from '../session/countdown';
import { endReasonWords, statusWords } from './staff-words';

export function SessionReviewPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  const queryClient = useQueryClient();
  const session = useQuery({
    queryKey: ['staff', 'session', sessionId],
    queryFn: () => api<SessionWithMessages>(`/v1/sessions/${sessionId}`),
    refetchInterval: (query) => (query.state.data?.status === 'ended' ? false : LIVE_POLL_MS),
  });
  const ended = session.data?.status === 'ended';
  const report = useQuery({
    queryKey: ['report', sessionId],
    queryFn: () => fetchReport(sessionId),
    enabled: ended,
    refetchInterval: (query) => (settled(query.state.data) ? false : LIVE_POLL_MS),
  });
  const cases = useStaffCases();
  const caseStudy = cases.data?.find((c) => c.id === session.data?.content_id);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const regrading = useMutation({
    mutationFn: () => regrade(sessionId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['report', sessionId] }),
  });

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
  const turns = s?.messages ?? [];
  const showTurn = (sequence: number) => {
    setHighlighted(sequence);
    const element = document.getElementById(`turn-${sequence}`);
    element?.scrollIntoView({ block: 'center' });
    element?.focus({ preventScroll: true });
  };

  return (
    <section className="staff review">
      <h1>Session{caseStudy ? `: ${caseStudy.title}` : ''}</h1>
      <p>
        <Link href="/staff/sessions">All sessions</Link>
      </p>
      {!s ? (
        <p>Loading…</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Student</dt>
            <dd>
              <Link href={`/staff/students/${encodeURIComponent(s.user_id)}`}>{s.user_id}</Link>
            </dd>
            <dt>Status</dt>
            <dd data-testid="session-status">
              {statusWords[s.status]}
              {s.end_reason ? `: ${endReasonWords(s.end_reason)}` : ''}
            </dd>
            <dt>Started</dt>
            <dd>{s.start_time ? new Date(s.start_time).toLocaleString() : '—'}</dd>
            <dt>Time used</dt>
            <dd>
              {formatClock(s.elapsed_active_time)} of {formatClock(s.duration_limit)}
            </dd>
          </dl>
          <div className="actions">
            {ended && (
              <button
                type="button"
                onClick={() => regrading.mutate()}
                disabled={regrading.isPending || !settled(report.data)}
              >
                Regrade
              </button>
            )}
          </div>
          {regrading.error && <p role="alert">The regrade was refused: {regrading.error.message}</p>}
          {regrading.isSuccess && !settled(report.data) && <p role="status">Regrade queued.</p>}
          <div className="side-by-side">
            <div>
              <h2>Transcript</h2>
              {turns.length === 0 ? (
                <p className="muted">No messages yet.</p>
              ) : (
                <div className="transcript-box">
                  <Transcript
                    turns={turns}
                    patientName={caseStudy?.patient.name ?? 'Patient'}
                    studentName="Student"
                    highlighted={highlighted}
                  />
                </div>
              )}
            </div>
            <div>
              <h2>Report</h2>
              <StaffReport ended={ended} report={report.data} error={report.error}>
                {(graded) => (
                  <CompletedReport
                    report={graded}
                    turns={turns}
                    onQuote={showTurn}
                    evidenceLabel="Evidence from the student's turns"
                  />
                )}
              </StaffReport>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

/** A report that will not change by itself any more (graded, failed, or none at all). */
const settled = (report: ReportState | undefined) => report !== undefined && (report === null || isGraded(report));

function StaffReport({
  ended,
  report,
  error,
  children,
}: {
  ended: boolean;
  report: ReportState | undefined;
  error: Error | null;
  children: (report: Extract<ReportState, { score: unknown }>) => ReactNode;
}) {
  if (!ended) return <p className="muted">The session is still in progress: its report follows when it ends.</p>;
  if (error) return <p role="alert">The report could not be loaded: {error.message}</p>;
  if (report === undefined) return <p>Loading…</p>;
  if (report === null) return <p>This session has no report: it never started.</p>;
  if (!isGraded(report)) return <p className="waiting">Grading…</p>;
  if (report.status === 'failed') return <p role="alert">Grading failed: {report.error ?? 'unknown error'}.</p>;
  return <>{children(report)}</>;
}
