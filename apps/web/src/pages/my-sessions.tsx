/** The student's sessions, newest first: case, status, end reason, time used, score; each links to its report. */
import { useQueries } from '@tanstack/react-query';
import { Link } from 'wouter';
import { fetchReport, isGraded, useCaseStudies, useMySessions } from '../api/resources';
import { formatClock } from '../session/countdown';
import { endReasonWords } from '../session/session-words';

export function MySessionsPage() {
  const sessions = useMySessions();
  const cases = useCaseStudies();
  const list = sessions.data?.data ?? [];
  const reports = useQueries({
    queries: list.map((s) => ({
      queryKey: ['report', s.id],
      queryFn: () => fetchReport(s.id),
      enabled: s.status === 'ended',
    })),
  });
  const titleOf = new Map(cases.data?.map((c) => [c.id, c.title]));

  return (
    <section>
      <h1>My sessions</h1>
      {sessions.isPending && <p>Loading…</p>}
      {sessions.error && <p role="alert">Your sessions could not be loaded: {sessions.error.message}</p>}
      {sessions.data && list.length === 0 && <p>No sessions yet. Pick a case to start one.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Time used</th>
                <th scope="col">Score</th>
                <th scope="col">
                  <span className="visually-hidden">Links</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s, i) => {
                const report = reports[i]?.data;
                const score = report && isGraded(report) ? report.score : null;
                return (
                  <tr key={s.id}>
                    <td data-label="Case">{titleOf.get(s.content_id) ?? 'A case no longer published'}</td>
                    <td data-label="Started">{new Date(s.start_time ?? s.created_at).toLocaleString()}</td>
                    <td data-label="Status">
                      {s.status === 'ended'
                        ? `Ended: ${s.end_reason ? endReasonWords[s.end_reason] : 'ended'}`
                        : 'In progress'}
                    </td>
                    <td data-label="Time used">{formatClock(s.elapsed_active_time)}</td>
                    <td data-label="Score">{score === null || score === undefined ? '—' : `${score}%`}</td>
                    <td>
                      {s.status === 'ended' ? (
                        <Link href={`/sessions/${s.id}/report`}>Transcript and report</Link>
                      ) : (
                        <Link href={`/sessions/${s.id}/text`}>Resume</Link>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
