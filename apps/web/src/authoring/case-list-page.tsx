/** The tenant's case studies for authors: each with its status and latest version, and a way to write a new one. */
import { Link } from 'wouter';
import { useAuthoredCases } from '../api/authoring';

export const statusWords = {
  draft: 'Draft',
  published: 'Published',
  unpublished: 'Unpublished',
  archived: 'Archived',
} as const;

export function CaseListPage() {
  const cases = useAuthoredCases();
  return (
    <section className="staff">
      <h1>Case studies</h1>
      <p>
        <Link href="/staff/cases/new">Write a new case</Link>
      </p>
      {cases.isPending && <p>Loading…</p>}
      {cases.error && <p role="alert">The case studies could not be loaded: {cases.error.message}</p>}
      {cases.data && cases.data.length === 0 && <p>No case studies yet.</p>}
      {cases.data && cases.data.length > 0 && (
        <div className="table-wrap">
          <table className="stack-on-phone" aria-label="Case studies">
            <thead>
              <tr>
                <th scope="col">Case</th>
                <th scope="col">Status</th>
                <th scope="col">Latest version</th>
                <th scope="col">Unpublished changes</th>
                <th scope="col">Last saved</th>
              </tr>
            </thead>
            <tbody>
              {cases.data.map((c) => (
                <tr key={c.id} data-case-id={c.id}>
                  <td data-label="Case">
                    <Link href={`/staff/cases/${c.id}`}>{c.title}</Link>
                  </td>
                  <td data-label="Status">{statusWords[c.status]}</td>
                  <td data-label="Latest version">{c.latest_version ?? '—'}</td>
                  <td data-label="Unpublished changes">{c.unpublished_changes ? 'Yes' : 'No'}</td>
                  <td data-label="Last saved">{new Date(c.updated_at).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
