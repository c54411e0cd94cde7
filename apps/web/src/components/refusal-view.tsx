/** A refusal in plain words, with the ways forward that exist: the report, typing instead, the cases. */
import { Link } from 'wouter';
import type { Refusal } from '../session/refusals';

export function RefusalView({ refusal, onTyping }: { refusal: Refusal; onTyping?: () => void }) {
  return (
    <section className="narrow" aria-labelledby="refusal-title">
      <h1 id="refusal-title">{refusal.title}</h1>
      <p>{refusal.text}</p>
      <div className="actions">
        {refusal.offerTyping && onTyping && (
          <button type="button" className="primary" onClick={onTyping}>
            Continue by typing
          </button>
        )}
        {refusal.reportSessionId && (
          <Link className="button primary" href={`/sessions/${refusal.reportSessionId}/report`}>
            Read the report
          </Link>
        )}
        <Link className="button" href="/sessions">
          My sessions
        </Link>
        <Link className="button" href="/">
          Back to the cases
        </Link>
      </div>
    </section>
  );
}
