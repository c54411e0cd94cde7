/**
 * The tenant's sessions for staff: a filterable table whose live rows update
 * without a reload (the list is asked again every few seconds), each row
 * linking to the session's transcript and report.
 */
import { sessionStatuses } from '@sp/core';
import { useState } from 'react';
import { Link } from 'wouter';
import { LIVE_POLL_MS, type SessionFilters, useStaffCases, useStaffSessions } from '../api/staff';
import { formatClock } from '../session/countdown';
import { endReasonWords, statusWords, useScores } from './staff-words';

const PAGE_SIZE = 25;

export function SessionsPage() {
  const [filters, setFilters] = useState<SessionFilters>({});
  const [skip, setSkip] = useState(0);
  const sessions = useStaffSessions({ ...filters, skip, limit: PAGE_SIZE });
  const cases = useStaffCases();
  const titleOf = new Map(cases.data?.map((c) => [c.id, c.title]));
  const rows = sessions.data?.data ?? [];
  const scores = useScores(rows);

  return (
    <section className="staff">
      <h1>Sessions</h1>
      <form
        className="filters"
        aria-label="Filter sessions"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const text = (name: string) => (form.get(name) as string | null)?.trim() || undefined;
          setSkip(0);
          setFilters({
            content_id: text('content_id'),
            user_id: text('user_id'),
            status: text('status') as SessionFilters['status'],
          });
        }}
      >
        <label>
          Case
          <select name="content_id" defaultValue="">
            <option value="">Every case</option>
            {cases.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Student
          <input name="user_id" type="text" placeholder="Student id" autoComplete="off" />
        </label>
        <label>
          Status
          <select name="status" defaultValue="">
            <option value="">Any status</option>
            {sessionStatuses.map((s) => (
              <option key={s} value={s}>
                {statusWords[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <p className="muted">
        Live sessions update by themselves (every {LIVE_POLL_MS / 1000} seconds).
        {sessions.data && ` ${sessions.data.total} session${sessions.data.total === 1 ? '' : 's'}.`}
      </p>
      {sessions.isPending && <p>Loading…</p>}
      {sessions.error && <p role="alert">The sessions could not be loaded: {sessions.error.message}</p>}
      {sessions.data && rows.length === 0 && <p>No sessions match.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="stack-on-phone" aria-label="Sessions">
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Student</th>
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
              {rows.map((s) => {
                const score = scores.get(s.id);
                return (
                  <tr key={s.id} data-session-id={s.id}>
                    <td data-label="Case">{titleOf.get(s.content_id) ?? s.content_id}</td>
                    <td data-label="Student">
                      <Link href={`/staff/students/${encodeURIComponent(s.user_id)}`}>{s.user_id}</Link>
                    </td>
                    <td data-label="Started">{s.start_time ? new Date(s.start_time).toLocaleString() : '—'}</td>
                    <td data-label="Status" className={`status status-${s.status}`}>
                      {statusWords[s.status]}
                      {s.end_reason ? `: ${endReasonWords(s.end_reason)}` : ''}
                    </td>
                    <td data-label="Time used">{formatClock(s.elapsed_active_time)}</td>
                    <td data-label="Score">{score === undefined ? '—' : `${score}%`}</td>
                    <td>
                      <Link href={`/staff/sessions/${s.id}`}>
                        Review<span className="visually-hidden"> session of {s.user_id}</span>
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {sessions.data && sessions.data.total_pages > 1 && (
        <nav className="actions" aria-label="Pages">
          <button type="button" disabled={skip === 0} onClick={() => setSkip(Math.max(0, skip - PAGE_SIZE))}>
            Newer
          </button>
          <span>
            Page {sessions.data.page} of {sessions.data.total_pages}
          </span>
          <button
            type="button"
            disabled={sessions.data.page >= sessions.data.total_pages}
            onClick={() => setSkip(skip + PAGE_SIZE)}
          >
            Older
          </button>
        </nav>
      )}
    </section>
  );
}
