/**
 * The tenant's students, and one student: their standing on each case
 * (attempts used and allowed, best and latest score) with a way to grant more
 * attempts, their time accommodation (a duration multiplier applied to every
 * session they start from now on), and their sessions across cases.
 */
import { DURATION_MULTIPLIER_MAX, type StudentView } from '@sp/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { grantAttempts, setAccommodation, useStaffSessions, useStudent, useStudents } from '../api/staff';
import { Pager } from '../components/pager';
import { SessionsTable } from './sessions-page';

const PAGE_SIZE = 50;

export function StudentsPage() {
  const [skip, setSkip] = useState(0);
  const students = useStudents(skip, PAGE_SIZE);
  const rows = students.data?.data ?? [];
  return (
    <section className="staff">
      <h1>Students</h1>
      {students.isPending && <p>Loading…</p>}
      {students.error && <p role="alert">The students could not be loaded: {students.error.message}</p>}
      {students.data && rows.length === 0 && <p>No students in this tenant yet.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="stack-on-phone" aria-label="Students">
            <thead>
              <tr>
                <th scope="col">Student</th>
                <th scope="col">Email</th>
                <th scope="col">Sessions</th>
                <th scope="col">Last session</th>
                <th scope="col">Time accommodation</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.user_id}>
                  <td data-label="Student">
                    <Link href={`/staff/students/${encodeURIComponent(s.user_id)}`}>{s.name ?? s.user_id}</Link>
                  </td>
                  <td data-label="Email">{s.email ?? '—'}</td>
                  <td data-label="Sessions">{s.sessions}</td>
                  <td data-label="Last session">
                    {s.last_session_at ? new Date(s.last_session_at).toLocaleString() : '—'}
                  </td>
                  <td data-label="Time accommodation">
                    {s.duration_multiplier === 1 ? 'none' : `${s.duration_multiplier}×`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {students.data && (
        <Pager
          page={students.data.page}
          totalPages={students.data.total_pages}
          skip={skip}
          pageSize={PAGE_SIZE}
          onSkip={setSkip}
        />
      )}
    </section>
  );
}

export function StudentPage() {
  const { userId } = useParams<{ userId: string }>();
  const student = useStudent(decodeURIComponent(userId));
  const sessions = useStaffSessions({ user_id: decodeURIComponent(userId), limit: 100 });
  const s = student.data;
  return (
    <section className="staff">
      <h1>Student{s ? `: ${s.name ?? s.user_id}` : ''}</h1>
      <p>
        <Link href="/staff/students">All students</Link>
      </p>
      {student.isPending && <p>Loading…</p>}
      {student.error && <p role="alert">The student could not be loaded: {student.error.message}</p>}
      {s && (
        <>
          <dl className="facts">
            <dt>Id</dt>
            <dd>{s.user_id}</dd>
            <dt>Email</dt>
            <dd>{s.email ?? '—'}</dd>
          </dl>
          <AccommodationForm student={s} />
          <h2>Cases</h2>
          <CaseStanding student={s} />
          {s.grants.length > 0 && <GrantHistory student={s} />}
          <h2>Sessions</h2>
          {sessions.error && <p role="alert">The sessions could not be loaded: {sessions.error.message}</p>}
          {sessions.data?.data.length === 0 && <p>No sessions yet.</p>}
          {!!sessions.data?.data.length && <SessionsTable rows={sessions.data.data} forStudent />}
        </>
      )}
    </section>
  );
}

function AccommodationForm({ student }: { student: StudentView }) {
  const queryClient = useQueryClient();
  const current = student.accommodation;
  const saving = useMutation({
    mutationFn: (body: { multiplier: number; note?: string }) =>
      setAccommodation(student.user_id, { duration_multiplier: body.multiplier, note: body.note }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['staff'] }),
  });
  return (
    <>
      <h2>Time accommodation</h2>
      <p data-testid="accommodation">
        {current.duration_multiplier === 1
          ? 'None: sessions run for the case’s own duration.'
          : `${current.duration_multiplier}× the case’s duration${current.set_by ? `, set by ${current.set_by}` : ''}${
              current.note ? `: “${current.note}”` : '.'
            }`}
      </p>
      <form
        className="filters"
        aria-label="Time accommodation"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const note = String(form.get('note') ?? '').trim();
          saving.mutate({ multiplier: Number(form.get('multiplier')), note: note || undefined });
        }}
      >
        <label>
          Duration multiplier
          <input
            name="multiplier"
            type="number"
            min={1}
            max={DURATION_MULTIPLIER_MAX}
            step={0.05}
            defaultValue={current.duration_multiplier}
            required
          />
        </label>
        <label>
          Note
          <input name="note" type="text" maxLength={2000} defaultValue={current.note ?? ''} />
        </label>
        <button type="submit" className="primary" disabled={saving.isPending}>
          Save accommodation
        </button>
      </form>
      <p className="muted">Applies to sessions the student starts from now on; the student sees their time.</p>
      {saving.error && <p role="alert">The accommodation was refused: {saving.error.message}</p>}
    </>
  );
}

function CaseStanding({ student }: { student: StudentView }) {
  if (student.cases.length === 0) return <p>No cases yet.</p>;
  return (
    <div className="table-wrap">
      <table className="stack-on-phone" aria-label="Cases">
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Attempts used</th>
            <th scope="col">Best score</th>
            <th scope="col">Latest score</th>
            <th scope="col">Grant attempts</th>
          </tr>
        </thead>
        <tbody>
          {student.cases.map((c) => (
            <tr key={c.content_id} data-content-id={c.content_id}>
              <td data-label="Case">{c.case_title}</td>
              <td data-label="Attempts used" data-testid="attempts">
                {c.attempts_used} of {c.attempts_allowed}
                {c.extra_attempts > 0 && <span className="muted"> ({c.extra_attempts} granted)</span>}
              </td>
              <td data-label="Best score">{c.best_score === null ? '—' : `${c.best_score}%`}</td>
              <td data-label="Latest score">{c.latest_score === null ? '—' : `${c.latest_score}%`}</td>
              <td data-label="Grant attempts">
                <GrantForm userId={student.user_id} contentId={c.content_id} caseTitle={c.case_title} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GrantForm({ userId, contentId, caseTitle }: { userId: string; contentId: string; caseTitle: string }) {
  const queryClient = useQueryClient();
  const granting = useMutation({
    mutationFn: (extra: number) => grantAttempts(userId, { content_id: contentId, extra_attempts: extra }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['staff'] }),
  });
  return (
    <form
      className="inline-form"
      aria-label={`Grant attempts on ${caseTitle}`}
      onSubmit={(event) => {
        event.preventDefault();
        granting.mutate(Number(new FormData(event.currentTarget).get('extra')));
      }}
    >
      <label>
        <span className="visually-hidden">Extra attempts on {caseTitle}</span>
        <input name="extra" type="number" min={1} max={100} step={1} defaultValue={1} required />
      </label>
      <button type="submit" disabled={granting.isPending}>
        Grant<span className="visually-hidden"> attempts on {caseTitle}</span>
      </button>
      {granting.error && <span role="alert">Refused: {granting.error.message}</span>}
    </form>
  );
}

function GrantHistory({ student }: { student: StudentView }) {
  const titleOf = new Map(student.cases.map((c) => [c.content_id, c.case_title]));
  return (
    <>
      <h3>Attempts granted</h3>
      <ul data-testid="grants">
        {student.grants.map((g) => (
          <li key={`${g.content_id}-${g.created_at}`}>
            {g.extra_attempts} on {titleOf.get(g.content_id) ?? g.content_id} by {g.granted_by},{' '}
            {new Date(g.created_at).toLocaleString()}
            {g.note ? `: “${g.note}”` : ''}
          </li>
        ))}
      </ul>
    </>
  );
}
