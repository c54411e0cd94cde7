/**
 * Grading with a model: one structured-output request per attempt. Provider
 * errors back off and retry; a rejected answer (bad JSON, unknown or missing
 * items, evidence that is not a student turn) is retried at once with the
 * reasons; a provider error that cannot heal (bad key, unknown model) stops.
 */

import { setTimeout } from 'node:timers/promises';
import { type ChatMessage, type ConfiguredProvider, requestStructured, toModelError } from '@sp/models';
import type { Logger } from 'pino';
import { correctionMessages, gradingMessages } from './grading-prompt.js';
import { findInjectionTurns } from './integrity.js';
import { answerProblems, type ModelAnswer, modelAnswerSchema } from './model-answer.js';
import { type GradeResult, scoreOf } from './report.js';
import { type RetryPolicy, retryDelayMs } from './retry-policy.js';
import type { GradingInput } from './transcript.js';

export interface ModelGraderOptions {
  provider: ConfiguredProvider;
  retry: RetryPolicy;
  /** Called as each model call starts, and awaited with it (the consumer counts attempts there). */
  onAttempt?: (attempt: number) => Promise<void>;
  log?: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Aborts the grading: the call under way is cancelled and the signal's reason thrown. */
  signal?: AbortSignal;
}

export type ModelGradeOutcome = { ok: true; result: GradeResult } | { ok: false; error: string };

async function pause(ms: number, signal?: AbortSignal) {
  try {
    await setTimeout(ms, undefined, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}

function resultOf(answer: ModelAnswer, input: GradingInput, model: string): GradeResult {
  // Rubric order, each item's evidence sorted and unique.
  const items = input.rubric.map((r) => {
    const item = answer.items.find((i) => i.item_id === r.id)!;
    return {
      item_id: r.id,
      verdict: item.verdict,
      evidence: [...new Set(item.evidence)].sort((a, b) => a - b),
      justification: item.justification.trim(),
    };
  });
  const list = (values: string[]) =>
    values
      .map((v) => v.trim())
      .filter(Boolean)
      .slice(0, 5);
  return {
    grader: 'model',
    model,
    score: scoreOf(input.rubric, items),
    items,
    strengths: list(answer.strengths),
    improvements: list(answer.improvements),
    narrative: answer.narrative.trim(),
    // Found by rule, not by the model: a student cannot talk the grader out of flagging them.
    integrityFlags: findInjectionTurns(input.turns),
  };
}

export async function gradeWithModel(input: GradingInput, options: ModelGraderOptions): Promise<ModelGradeOutcome> {
  const { provider, retry, log, signal } = options;
  const sleep = options.sleep ?? ((ms: number) => pause(ms, signal));
  const model = provider.models.grading;
  const schema = modelAnswerSchema(input.rubric);
  const base = gradingMessages(input);
  let correction: ChatMessage[] = [];
  let lastError = 'no attempt was made';
  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    signal?.throwIfAborted();
    // The attempt is recorded while the model works, not before it: one round trip off every job. The
    // record is always waited for (a failed call does not outrun it) and its own failure is the job's crash,
    // as before, never mistaken for a model error.
    const [call, recorded] = await Promise.allSettled([
      requestStructured(provider, {
        model,
        name: 'grade_report',
        schema,
        messages: [...base, ...correction],
        signal,
      }),
      options.onAttempt?.(attempt),
    ]);
    if (recorded.status === 'rejected') throw recorded.reason;
    try {
      if (call.status === 'rejected') throw call.reason;
      const answer = call.value;
      const problems = answer.ok ? answerProblems(answer.value, input.rubric, input.turns) : [answer.problem];
      if (answer.ok && !problems.length) return { ok: true, result: resultOf(answer.value, input, model) };
      lastError = `the model's answer was rejected: ${problems.join('; ')}`;
      log?.warn({ attempt, problems }, 'model answer rejected; asking again');
      correction = correctionMessages(answer.content, problems);
    } catch (thrown) {
      // An abort is the job's business (hand the report back), not a provider error to record.
      signal?.throwIfAborted();
      const error = toModelError(thrown);
      lastError = error.message;
      if (!error.retryable) return { ok: false, error: lastError };
      if (attempt < retry.maxAttempts) {
        const delay = retryDelayMs(retry, attempt, error.retryAfterMs);
        log?.warn(
          { attempt, status: error.status, delay_ms: delay, err: error.message },
          'model call failed; retrying',
        );
        await sleep(delay);
      }
    }
  }
  return { ok: false, error: `gave up after ${retry.maxAttempts} attempts: ${lastError}` };
}
