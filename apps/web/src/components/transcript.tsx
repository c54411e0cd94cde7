/** The conversation so far, one list item per turn, addressable as #turn-<sequence> for the report's evidence. */
import type { TranscriptMessage } from '@sp/core';
import { useState } from 'react';

export interface Turn extends Pick<TranscriptMessage, 'role' | 'content'> {
  sequence: number | null;
  /** Still streaming in. */
  pending?: boolean;
}

/**
 * The turn a report's evidence quote points at: `showTurn` highlights it, scrolls it into view and
 * moves the focus there, for the student's report and the staff review alike.
 */
export function useQuotedTurn() {
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const showTurn = (sequence: number) => {
    setHighlighted(sequence);
    const element = document.getElementById(`turn-${sequence}`);
    element?.scrollIntoView({ block: 'center' });
    element?.focus({ preventScroll: true });
  };
  return { highlighted, showTurn };
}

export function Transcript({
  turns,
  patientName,
  studentName = 'You',
  highlighted,
}: {
  turns: Turn[];
  patientName: string;
  studentName?: string;
  highlighted?: number | null;
}) {
  if (turns.length === 0) return <p className="muted">No messages yet. Introduce yourself to begin.</p>;
  return (
    <ol className="transcript" aria-label="Transcript">
      {turns.map((turn, index) => (
        <li
          key={turn.sequence ?? `pending-${index}`}
          id={turn.sequence ? `turn-${turn.sequence}` : undefined}
          tabIndex={turn.sequence ? -1 : undefined}
          className={`turn turn-${turn.role}${highlighted === turn.sequence ? ' highlighted' : ''}`}
          data-sequence={turn.sequence ?? undefined}
          aria-busy={turn.pending || undefined}
        >
          <span className="speaker">{turn.role === 'user' ? studentName : patientName}</span>
          <span className="content">{turn.content || (turn.pending ? '…' : '')}</span>
        </li>
      ))}
    </ol>
  );
}
