/**
 * Where a case's cohort stands: attempts, the score distribution, per rubric
 * item the share of students who met it (fewest first: the skills the cohort
 * misses), and how often the grader agreed with the instructors' reviews.
 * Charts are plain HTML bars with their figures written beside them, so they
 * read the same to a screen reader as on screen; previews are not counted.
 */
import type { Agreement, CohortStats } from '@sp/core';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { useCohort, useGraderAgreement, useStaffCases } from '../api/staff';
import { percent } from './staff-words';

export function CohortPage() {
  const { caseId } = useParams<{ caseId?: string }>();
  const cases = useStaffCases();
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const cohort = useCohort(caseId, range);
  const agreement = useGraderAgreement();
  const title = cases.data?.find((c) => c.id === caseId)?.title;

  return (
    <section className="staff">
      <h1>Cohort{title ? `: ${title}` : ''}</h1>
      <nav aria-label="Cases" className="case-picker">
        <ul>
          {cases.data?.map((c) => (
            <li key={c.id}>
              <Link href={`/staff/cohort/${c.id}`} aria-current={c.id === caseId ? 'page' : undefined}>
                {c.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {!caseId && (
        <>
          <p>Pick a case to see its cohort.</p>
          <h2>Grader agreement, every case</h2>
          {agreement.error && <p role="alert">The agreement could not be loaded: {agreement.error.message}</p>}
          {agreement.data && <AgreementFigures agreement={agreement.data.overall} />}
          {!!agreement.data?.by_case.length && (
            <div className="table-wrap">
              <table className="stack-on-phone" aria-label="Grader agreement by case">
                <thead>
                  <tr>
                    <th scope="col">Case</th>
                    <th scope="col">All graders</th>
                    <th scope="col">Model grader</th>
                    <th scope="col">Offline grader</th>
                  </tr>
                </thead>
                <tbody>
                  {agreement.data.by_case.map((c) => (
                    <tr key={c.content_id}>
                      <td data-label="Case">
                        <Link href={`/staff/cohort/${c.content_id}`}>{c.case_title}</Link>
                      </td>
                      <td data-label="All graders">{agreementLine(c)}</td>
                      <td data-label="Model grader">{agreementLine(c.by_grader.model)}</td>
                      <td data-label="Offline grader">{agreementLine(c.by_grader.heuristic)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {caseId && (
        <form
          className="filters"
          aria-label="Sessions created between"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const day = (name: string) => (form.get(name) as string | null) || undefined;
            setRange({ from: day('from'), to: day('to') });
          }}
        >
          <label>
            From
            <input name="from" type="date" />
          </label>
          <label>
            To
            <input name="to" type="date" />
          </label>
          <button type="submit">Apply dates</button>
        </form>
      )}
      {cohort.isPending && caseId && <p>Loading…</p>}
      {cohort.error && <p role="alert">The cohort could not be loaded: {cohort.error.message}</p>}
      {cohort.data && <Cohort stats={cohort.data} />}
    </section>
  );
}

function Cohort({ stats }: { stats: CohortStats }) {
  const figure = (n: number | null) => (n === null ? '—' : `${Math.round(n * 10) / 10}%`);
  const byShare = [...stats.items].sort((a, b) => (a.share_met ?? 2) - (b.share_met ?? 2));
  const most = Math.max(1, ...stats.score.histogram.map((b) => b.count));
  return (
    <>
      <dl className="figures">
        <div>
          <dt>Students</dt>
          <dd data-testid="cohort-students">{stats.students}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd data-testid="cohort-attempts">{stats.attempts}</dd>
        </div>
        <div>
          <dt>Graded</dt>
          <dd>{stats.graded}</dd>
        </div>
        <div>
          <dt>Mean score</dt>
          <dd>{figure(stats.score.mean)}</dd>
        </div>
        <div>
          <dt>Median</dt>
          <dd>{figure(stats.score.median)}</dd>
        </div>
        <div>
          <dt>Lowest – highest</dt>
          <dd>
            {figure(stats.score.min)} – {figure(stats.score.max)}
          </dd>
        </div>
      </dl>

      <h2 id="skills">Which skills the cohort misses</h2>
      <p className="muted">
        Per rubric item, the share of students whose latest graded session met it (after corrections), fewest first.
      </p>
      {byShare.length === 0 ? (
        <p>No graded sessions yet.</p>
      ) : (
        <ul className="bars" aria-labelledby="skills">
          {byShare.map((item) => (
            <li key={item.item_id} data-item-id={item.item_id}>
              <span className="bar-label">{item.title}</span>
              <span className="bar-track" aria-hidden="true">
                <span className="bar" style={{ width: `${(item.share_met ?? 0) * 100}%` }} />
              </span>
              <span className="bar-value">
                {item.share_met === null ? 'no students yet' : `${Math.round(item.share_met * 100)}% met`}{' '}
                <span className="muted">
                  ({item.met} met, {item.partially_met} partly, {item.not_met} not, of {item.students})
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}

      <h2 id="scores">Score distribution</h2>
      <ul className="bars" aria-labelledby="scores">
        {stats.score.histogram.map((bin) => (
          <li key={bin.from}>
            <span className="bar-label">
              {bin.from}–{bin.to}
            </span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar" style={{ width: `${(bin.count / most) * 100}%` }} />
            </span>
            <span className="bar-value">
              {bin.count} session{bin.count === 1 ? '' : 's'}
            </span>
          </li>
        ))}
      </ul>

      <h2>Attempts per student</h2>
      {stats.attempts_per_student.length === 0 ? (
        <p>No attempts yet.</p>
      ) : (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Attempts</th>
              <th scope="col">Students</th>
            </tr>
          </thead>
          <tbody>
            {stats.attempts_per_student.map((row) => (
              <tr key={row.attempts}>
                <td>{row.attempts}</td>
                <td>{row.students}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Grader agreement on this case</h2>
      <AgreementFigures agreement={stats.agreement} />
    </>
  );
}

/** The share of reviewed items where the grader's verdict was the instructor's, overall and per grader. */
const agreementLine = (a: Omit<Agreement, 'by_grader'>) =>
  `${percent(a.agreement)}${a.reviewed_items ? ` (${a.agreed_items} of ${a.reviewed_items} reviewed items)` : ''}`;

function AgreementFigures({ agreement }: { agreement: Agreement }) {
  return (
    <dl className="facts" data-testid="agreement">
      <dt>All graders</dt>
      <dd data-testid="agreement-overall">{agreementLine(agreement)}</dd>
      <dt>Model grader</dt>
      <dd>{agreementLine(agreement.by_grader.model)}</dd>
      <dt>Offline grader</dt>
      <dd>{agreementLine(agreement.by_grader.heuristic)}</dd>
    </dl>
  );
}
