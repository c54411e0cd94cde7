/**
 * Picks how a session is graded: no student turns grade to 0 without asking
 * anyone; with a model configured the model grades; without one the offline
 * heuristic does.
 */
import type { ModelProvider } from '@sp/models';
import type { Logger } from 'pino';
import { gradeHeuristically } from './heuristic-grader.js';
import { gradeWithModel } from './model-grader.js';
import type { GradeResult } from './report.js';
import type { RetryPolicy } from './retry-policy.js';
import { type GradingInput, studentTurns } from './transcript.js';

export type GradeOutcome =
  | { status: 'completed'; result: GradeResult }
  | { status: 'failed'; error: string; grader: 'model' | 'heuristic'; model: string | null };

export interface GradeSessionOptions {
  provider: ModelProvider;
  retry: RetryPolicy;
  onAttempt?: (attempt: number) => Promise<void>;
  log?: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Stops a model grading between and during calls (the job ran out of time, or its consumer is stopping). */
  signal?: AbortSignal;
}

export const NO_STUDENT_TURNS = 'The student said nothing in this session, so there was nothing to grade.';

/** Graded by rule with no model asked, so labelled `heuristic` with no model, whatever is configured. */
function silentSession(input: GradingInput): GradeResult {
  return {
    grader: 'heuristic',
    model: null,
    score: 0,
    items: input.rubric.map((r) => ({
      item_id: r.id,
      verdict: 'not_met',
      evidence: [],
      justification: NO_STUDENT_TURNS,
    })),
    strengths: [],
    improvements: ['Talk with the patient: take the history the case asks for.'],
    narrative: `${NO_STUDENT_TURNS} The score is 0; no model was asked.`,
    integrityFlags: [],
  };
}

export async function gradeSession(input: GradingInput, options: GradeSessionOptions): Promise<GradeOutcome> {
  const { provider } = options;
  if (!studentTurns(input.turns).length) return { status: 'completed', result: silentSession(input) };
  if (!provider.configured) {
    await options.onAttempt?.(1);
    return { status: 'completed', result: gradeHeuristically(input) };
  }
  const outcome = await gradeWithModel(input, { ...options, provider });
  return outcome.ok
    ? { status: 'completed', result: outcome.result }
    : { status: 'failed', error: outcome.error, grader: 'model', model: provider.models.grading };
}
