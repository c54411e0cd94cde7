/** Every published case of the tenant, with this student's attempts and scores, and a way to start or resume. */
import type { CaseStudyStudentView, SessionSummary } from '@sp/core';
import { useQueries } from '@tanstack/react-query';
import { Link } from 'wouter';
import { fetchReport, isGraded, useCaseStudies, useMySessions } from '../api/resources';
import { rememberedSession } from '../session/remembered-sessions';

export function CasesPage() {
  const cases = useCaseStudies();
  const sessions = useMySessions();
  const ended = (sessions.data?.data ?? []).filter((s) => s.status === 'ended');
  const reports = useQueries({
    queries: ended.map((s) => ({ queryKey: ['report', s.id], queryFn: () => fetchReport(s.id) })),
  });
  const scoreOf = new Map<string, number>();
  ended.forEach((s, i) => {
    const report = reports[i]?.data;
    if (report && isGraded(report) && report.score !== null) scoreOf.set(s.id, report.score);
  });

  return (
    <section>
      <h1>Cases</h1>
      {cases.isPending && <p>Loading cases…</p>}
      {cases.error && <p role="alert">The cases could not be loaded: {cases.error.message}</p>}
      {cases.data?.length === 0 && <p>No cases have been published yet.</p>}
      <ul className="cards">
        {cases.data?.map((caseStudy) => (
          <CaseCard
            key={caseStudy.id}
            caseStudy={caseStudy}
            sessions={(sessions.data?.data ?? []).filter((s) => s.content_id === caseStudy.id)}
            scoreOf={scoreOf}
          />
        ))}
      </ul>
    </section>
  );
}

function CaseCard({
  caseStudy,
  sessions,
  scoreOf,
}: {
  caseStudy: CaseStudyStudentView;
  sessions: SessionSummary[];
  scoreOf: Map<string, number>;
}) {
  // Newest first, as the API lists them.
  const scores = sessions.map((s) => scoreOf.get(s.id)).filter((score): score is number => score !== undefined);
  const live = sessions.find((s) => s.is_active);
  const remembered = rememberedSession(caseStudy.id);
  const headingId = `case-${caseStudy.id}`;
  return (
    <li className="card">
      <h2 id={headingId}>{caseStudy.title}</h2>
      <p>{caseStudy.description}</p>
      <dl className="facts">
        <dt>Patient</dt>
        <dd>
          {caseStudy.patient.name}, {caseStudy.patient.age}
        </dd>
        <dt>Time allowed</dt>
        <dd>{Math.round(caseStudy.duration_limit / 60)} minutes</dd>
        <dt>Attempts</dt>
        <dd>
          {sessions.length} of {caseStudy.max_attempts} used
        </dd>
        <dt>Last score</dt>
        <dd>{scores[0] === undefined ? '—' : `${scores[0]}%`}</dd>
        <dt>Best score</dt>
        <dd>{scores.length === 0 ? '—' : `${Math.max(...scores)}%`}</dd>
      </dl>
      {live ? (
        <div className="notice" role="status">
          <p>You have a session in progress for this case.</p>
          <div className="actions">
            <Link
              className="button primary"
              href={`/cases/${caseStudy.id}/start/${remembered?.sessionId === live.id ? remembered.mode : 'text'}?resume=${live.id}`}
            >
              Resume it
            </Link>
            <Link className="button" href={`/cases/${caseStudy.id}/start/text?start_over=${live.id}`}>
              End it and start over
            </Link>
          </div>
        </div>
      ) : (
        <div className="actions">
          <Link className="button primary" href={`/cases/${caseStudy.id}/start/voice`}>
            Start talking
          </Link>
          <Link className="button" href={`/cases/${caseStudy.id}/start/text`}>
            Start by typing
          </Link>
        </div>
      )}
    </li>
  );
}
