/**
 * The tenant's sessions for staff: a filterable table whose live rows update
 * without a reload (the list is asked again every few seconds), each row
 * linking to the session's transcript and report, and CSV exports filtered
 * like the table.
 */
import { endReasons, type StaffSessionSummary, sessionStatuses } from '@sp/core';
import { useState } from 'react';
import { Link } from 'wouter';
import {
  downloadCsv,
  LIVE_POLL_MS,
  type SessionFilters,
  useStaffCases,
  useStaffSessions,
  useStudents,
} from '../api/staff';
import { Pager } from '../components/pager';
import { formatClock } from '../session/countdown';
import { channelWords, endReasonWords, statusText, statusWords } from './staff-words';

const PAGE_SIZE = 25;

export function SessionsPage() {
  const [filters, setFilters] = useState<SessionFilters>({});
  const [skip, setSkip] = useState(0);
  const [exportError, setExportError] = useState<string | null>(null);
  const sessions = useStaffSessions({ ...filters, skip, limit: PAGE_SIZE });
  const cases = useStaffCases();
  const students = useStudents(0, 100);
  const rows = sessions.data?.data ?? [];
  const exportCsv = (kind: 'sessions' | 'transcripts') => {
    setExportError(null);
    downloadCsv(kind, filters, `${kind}.csv`).catch((error: Error) => setExportError(error.message));
  };

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
          const number = (name: string) => (text(name) === undefined ? undefined : Number(text(name)));
          setSkip(0);
          setFilters({
            content_id: text('content_id'),
            user_id: text('user_id'),
            status: text('status') as SessionFilters['status'],
            end_reason: text('end_reason') as SessionFilters['end_reason'],
            channel: text('channel') as SessionFilters['channel'],
            from: text('from'),
            to: text('to'),
            min_score: number('min_score'),
            max_score: number('max_score'),
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
          <input name="user_id" type="text" placeholder="Student id" autoComplete="off" list="student-ids" />
          <datalist id="student-ids">
            {students.data?.data.map((st) => (
              <option key={st.user_id} value={st.user_id}>
                {st.name ?? st.user_id}
              </option>
            ))}
          </datalist>
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
        <label>
          End reason
          <select name="end_reason" defaultValue="">
            <option value="">Any end reason</option>
            {endReasons.map((r) => (
              <option key={r} value={r}>
                {endReasonWords(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select name="channel" defaultValue="">
            <option value="">Voice or typing</option>
            <option value="voice">{channelWords.voice}</option>
            <option value="text">{channelWords.text}</option>
          </select>
        </label>
        <label>
          From
          <input name="from" type="date" />
        </label>
        <label>
          To
          <input name="to" type="date" />
        </label>
        <label>
          Score at least
          <input name="min_score" type="number" min={0} max={100} step="any" inputMode="decimal" />
        </label>
        <label>
          Score at most
          <input name="max_score" type="number" min={0} max={100} step="any" inputMode="decimal" />
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <div className="actions">
        <button type="button" onClick={() => exportCsv('sessions')}>
          Export sessions (CSV)
        </button>
        <button type="button" onClick={() => exportCsv('transcripts')}>
          Export transcripts (CSV)
        </button>
      </div>
      {exportError && <p role="alert">The export failed: {exportError}</p>}
      <p className="muted">
        Live sessions update by themselves (every {LIVE_POLL_MS / 1000} seconds).
        {sessions.data && ` ${sessions.data.total} session${sessions.data.total === 1 ? '' : 's'}.`}
      </p>
      {sessions.isPending && <p>Loading…</p>}
      {sessions.error && <p role="alert">The sessions could not be loaded: {sessions.error.message}</p>}
      {sessions.data && rows.length === 0 && <p>No sessions match.</p>}
      {rows.length > 0 && (
        <SessionsTable
          rows={rows}
          nameOf={new Map(students.data?.data.map((st) => [st.user_id, st.name ?? st.user_id]))}
        />
      )}
      {sessions.data && (
        <Pager
          page={sessions.data.page}
          totalPages={sessions.data.total_pages}
          skip={skip}
          pageSize={PAGE_SIZE}
          onSkip={setSkip}
          labels={['Newer', 'Older']}
        />
      )}
    </section>
  );
}

/**
 * Sessions as rows: case, student (by name where `nameOf` knows it; not on one student's page, `forStudent`),
 * start, status, channel, time used, score, Review.
 */
export function SessionsTable({
  rows,
  forStudent = false,
  nameOf = new Map(),
}: {
  rows: StaffSessionSummary[];
  forStudent?: boolean;
  nameOf?: Map<string, string>;
}) {
  return (
    <div className="table-wrap">
      <table className="stack-on-phone" aria-label="Sessions">
        <thead>
          <tr>
            <th scope="col">Case</th>
            {!forStudent && <th scope="col">Student</th>}
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Channel</th>
            <th scope="col">Time used</th>
            <th scope="col">Score</th>
            <th scope="col">
              <span className="visually-hidden">Links</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id} data-session-id={s.id}>
              <td data-label="Case">
                {s.case_title}
                {s.preview && <span className="tag">preview</span>}
              </td>
              {!forStudent && (
                <td data-label="Student">
                  <Link href={`/staff/students/${encodeURIComponent(s.user_id)}`}>
                    {nameOf.get(s.user_id) ?? s.user_id}
                  </Link>
                </td>
              )}
              <td data-label="Started">{s.start_time ? new Date(s.start_time).toLocaleString() : '—'}</td>
              <td data-label="Status" className={`status status-${s.status}`}>
                {statusText(s)}
              </td>
              <td data-label="Channel">{channelWords[s.channel]}</td>
              <td data-label="Time used">
                {formatClock(s.elapsed_active_time)} of {formatClock(s.duration_limit)}
              </td>
              <td data-label="Score">{scoreText(s)}</td>
              <td>
                <Link href={`/staff/sessions/${s.id}`}>
                  Review
                  <span className="visually-hidden">
                    {' '}
                    {forStudent ? `${s.case_title} session` : `session of ${nameOf.get(s.user_id) ?? s.user_id}`}
                  </span>
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function scoreText(s: { score: number | null; grading_status: string }): string {
  if (s.score !== null) return `${s.score}%`;
  if (s.grading_status === 'pending' || s.grading_status === 'running') return 'grading…';
  if (s.grading_status === 'failed') return 'grading failed';
  return '—';
}
