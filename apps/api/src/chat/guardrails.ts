/**
 * The study assistant's guardrails. Input: a message that tries to take over
 * the assistant (ignore your instructions, reveal your prompt, you are now...)
 * is blocked before anything reaches the model. Output: an answer that wrote
 * the student's graded work for them is corrected (`revised`).
 */
import { normalizeText } from '@sp/core';

/** The injection guard lives in @sp/core: the graders use the same one on a student's turns. */
export { looksLikeInjection } from '@sp/core';

const ASKS_FOR_THE_WORK =
  /\b(write|do|complete|finish|generate|produce|draft)\b.{0,40}\b(my|the|an?|this|whole|full|entire)\b.{0,30}\b(essay|assignment|coursework|report|dissertation|thesis|homework|paper|answers?|submission|code|project)\b/;

const HANDS_OVER_THE_WORK = [
  /\b(here is|here's|below is)\b.{0,30}\b(your|the|an?)\b.{0,20}\b(complete|completed|finished|full|final|ready)\b.{0,20}\b(essay|assignment|report|answers?|submission|dissertation|paper|solution)\b/,
  /\b(you can|feel free to|ready to) (submit|hand in|turn in)\b/,
  /\bhand this in\b/,
];

/** Long enough to be the work itself rather than guidance about it. */
const WORK_LENGTH_WORDS = 150;

export const GHOSTWRITING_CORRECTION =
  "I can't write work that you'll hand in for a grade: that part has to be yours. What I can do is help you " +
  'write it. Tell me the question and what you have so far, and we can work out what it is asking for, plan an ' +
  'outline together, and I can give you feedback on your own drafts.';

/** The correction for an answer that wrote the student's graded work, or null when the answer may stand. */
export function reviewAnswer(question: string, answer: string): string | null {
  const said = normalizeText(answer);
  const handsOver = HANDS_OVER_THE_WORK.some((pattern) => pattern.test(said));
  const wroteIt =
    ASKS_FOR_THE_WORK.test(normalizeText(question)) && said.split(' ').filter(Boolean).length >= WORK_LENGTH_WORDS;
  return handsOver || wroteIt ? GHOSTWRITING_CORRECTION : null;
}
