/** Pieces of a grade report shared by the student's report page and the instructor console. */

export const verdictText = { met: 'Met', partially_met: 'Partly met', not_met: 'Not met' } as const;

/** Which grader graded it, in words. */
export function graderWords(report: { grader: 'model' | 'heuristic' | null; model: string | null }): string {
  return report.grader === 'model'
    ? `Graded by a model${report.model ? ` (${report.model})` : ''}.`
    : 'Graded by the offline grader (it looks for each rubric item’s elements in what was asked and said, no model).';
}

/** The quoted turns an item's verdict rests on; a click shows the turn in the transcript. */
export function EvidenceQuotes({
  evidence,
  contentOf,
  onQuote,
  label,
}: {
  evidence: number[];
  contentOf: Map<number, string>;
  onQuote: (sequence: number) => void;
  label: string;
}) {
  if (evidence.length === 0) return null;
  return (
    <ul className="evidence" aria-label={label}>
      {evidence.map((sequence) => (
        <li key={sequence}>
          <button type="button" className="quote" onClick={() => onQuote(sequence)}>
            “{contentOf.get(sequence) ?? `turn ${sequence}`}”
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Strengths, what to improve, and the narrative. */
export function ReportNotes({
  strengths,
  improvements,
  narrative,
}: {
  strengths: string[] | null;
  improvements: string[] | null;
  narrative: string | null;
}) {
  return (
    <>
      {!!strengths?.length && (
        <>
          <h2>Strengths</h2>
          <ul>
            {strengths.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}
      {!!improvements?.length && (
        <>
          <h2>What to improve</h2>
          <ul>
            {improvements.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}
      {narrative && <p>{narrative}</p>}
    </>
  );
}
