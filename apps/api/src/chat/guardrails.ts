/**
 * The study assistant's guardrails. Input: a message that tries to take over
 * the assistant (ignore your instructions, reveal your prompt, you are now...)
 * is blocked before anything reaches the model. Output: an answer that wrote
 * the student's graded work for them is corrected (`revised`).
 */
import { normalizeText } from '@sp/core';

const INJECTION_PATTERNS: RegExp[] = [
  /\b(ignore|disregard|forget|override|bypass)\s+((all|any|the|your|of|these|those|my|previous|prior|above|earlier|preceding|system|original|developer|safety)\s+)*(instructions?|rules|prompts?|guidelines|directions|guardrails|restrictions)\b/,
  /\bforget (everything|all) (you|that|above)\b/,
  /\b(reveal|show|print|repeat|output|display|leak|tell me)\b.{0,30}\b(system|hidden|initial|original|secret|developer)\s+(prompt|instructions?|message)/,
  /\bsystem prompt\b/,
  /\b(you are now|from now on,? you are|you will now act as)\b/,
  /\b(developer|god|jailbreak|dan) mode\b/,
  /\bjailbr(eak|oken)\b/,
  /\bdo anything now\b/,
  /\b(act|behave|respond) as (an? )?(unrestricted|unfiltered|uncensored|jailbroken)\b/,
  /\bwithout (any )?(restrictions|filters|rules|guidelines)\b/,
  /<\|?(im_start|im_end|system|endoftext)\|?>/,
  /(^|\n)\s*(###\s*)?(system|assistant)\s*:/,
  /\[(system|inst)\]/,
];

/** Does the message try to take over the assistant rather than ask it something? */
export function looksLikeInjection(message: string): boolean {
  const text = normalizeText(message);
  return INJECTION_PATTERNS.some((pattern) => pattern.test(text));
}

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
