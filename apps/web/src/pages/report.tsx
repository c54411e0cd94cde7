/**
 * The grade report of a session: a waiting state while grading runs (the
 * API's long-poll), then the score, each rubric item's verdict with the
 * student's own turns quoted as evidence (a click highlights the turn in the
 * transcript below), strengths and what to improve.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'wouter';
import { ApiError } from '../api/client';
import { fetchReport, type GradeReportView, isGraded, useCaseStudies, useSessionWithMessages } from '../api/resources';
import { EvidenceQuotes, graderWords, ReportNotes, verdictText } from '../components/report-parts';
import { Transcript, useQuotedTurn } from '../components/transcript';
import { endReasonText } from '../session/session-words';

/** Seconds one long-poll request waits for grading before asking again. */
const LONG_POLL_SECONDS = 25;

/** `site_and_radiation` → `Site and radiation` */
const itemTitle = (id: string) => id.charAt(0).toUpperCase() + id.slice(1).replace(/[_-]+/g, ' ');

export function ReportPage() {
  const { sessionId } = useParams<{ sessionId: string }>();
  const session = useSessionWithMessages(sessionId);
  const cases = useCaseStudies();
  const report = useQuery({
    queryKey: ['report', sessionId, 'final'],
    queryFn: () => fetchReport(sessionId, LONG_POLL_SECONDS),
    refetchInterval: (query) =>
      query.state.data === undefined || isGraded(query.state.data) || query.state.data === null ? false : 1,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 3,
  });
  const { highlighted, showTurn } = useQuotedTurn();

  const caseStudy = cases.data?.find((c) => c.id === session.data?.content_id);
  const patientName = caseStudy?.patient.name ?? 'Patient';
  const turns = session.data?.messages ?? [];

  return (
    <section className="report">
      <h1>Report{caseStudy ? `: ${caseStudy.title}` : ''}</h1>
      {session.data && <p className="muted">{endReasonText(session.data)}</p>}
      <ReportBody report={report} turns={turns} onQuote={showTurn} />
      <h2>Transcript</h2>
      {session.isPending ? (
        <p>Loading the transcript…</p>
      ) : (
        <Transcript turns={turns} patientName={patientName} highlighted={highlighted} />
      )}
    </section>
  );
}

function ReportBody({
  report,
  turns,
  onQuote,
}: {
  report: ReturnType<typeof useQuery<Awaited<ReturnType<typeof fetchReport>>>>;
  turns: { sequence: number; content: string }[];
  onQuote: (sequence: number) => void;
}) {
  if (report.error) {
    if (report.error instanceof ApiError && report.error.code === 'SESSION_ACTIVE') {
      return (
        <p role="status">
          This session is still in progress, so it has no report yet. <Link href="/">Back to the cases</Link> to resume
          it.
        </p>
      );
    }
    return <p role="alert">The report could not be loaded: {report.error.message}</p>;
  }
  const data = report.data;
  if (data === null) return <p role="status">This session has no report: it never started.</p>;
  if (data === undefined || !isGraded(data)) {
    return (
      <p role="status" className="waiting">
        Your session is being graded. This page updates by itself when the report is ready.
      </p>
    );
  }
  if (data.status === 'failed') {
    return <p role="alert">Grading failed: {data.error ?? 'unknown error'}. Ask your instructor to regrade it.</p>;
  }
  return <CompletedReport report={data} turns={turns} onQuote={onQuote} />;
}

function CompletedReport({
  report,
  turns,
  onQuote,
}: {
  report: GradeReportView;
  turns: { sequence: number; content: string }[];
  onQuote: (sequence: number) => void;
}) {
  const contentOf = new Map(turns.map((t) => [t.sequence, t.content]));
  return (
    <div>
      <p className="score">
        Score: <strong data-testid="score">{report.score}%</strong>
      </p>
      <p className="muted">{graderWords(report)}</p>
      <h2>Rubric</h2>
      <ul className="rubric">
        {report.items?.map((item) => (
          <li key={item.item_id} className={`verdict-${item.verdict}`}>
            <h3>
              {itemTitle(item.item_id)}: <span className="verdict">{verdictText[item.verdict]}</span>
            </h3>
            <p>{item.justification}</p>
            <EvidenceQuotes
              evidence={item.evidence}
              contentOf={contentOf}
              onQuote={onQuote}
              label="Evidence from your turns"
            />
          </li>
        ))}
      </ul>
      <ReportNotes strengths={report.strengths} improvements={report.improvements} narrative={report.narrative} />
    </div>
  );
}
