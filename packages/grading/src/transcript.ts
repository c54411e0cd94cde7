/** What a grader reads: the rubric and the numbered transcript of one session. */
import type { RubricItem } from '@sp/core';

export interface TranscriptTurn {
  sequence: number;
  role: 'user' | 'assistant';
  content: string;
}

export interface GradingInput {
  sessionId: string;
  tenantId: string;
  caseTitle: string;
  rubric: RubricItem[];
  /** In sequence order. */
  turns: TranscriptTurn[];
}

export const studentTurns = (turns: TranscriptTurn[]) => turns.filter((t) => t.role === 'user');
