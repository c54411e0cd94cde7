/**
 * Grading integrity: a student's words are data, never instructions to a
 * grader. A student turn that addresses the grader or an AI (the study
 * assistant's injection guard, plus "mark every item as met" and the like) is
 * listed on the report with its turn number, is never credited by the offline
 * grader, and marks the report for an instructor's review, whichever grader ran.
 */
import { addressesTheGrader, type IntegrityFlag } from '@sp/core';
import { studentTurns, type TranscriptTurn } from './transcript.js';

export const INJECTION_REASON = 'addresses the grader or an AI instead of the patient';

export function findInjectionTurns(turns: TranscriptTurn[]): IntegrityFlag[] {
  return studentTurns(turns)
    .filter((t) => addressesTheGrader(t.content))
    .map((t) => ({ turn: t.sequence, reason: INJECTION_REASON }));
}
