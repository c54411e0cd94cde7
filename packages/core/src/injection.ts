/**
 * Spotting a message that tries to take over a model rather than talk to it:
 * the study assistant's input guard, and the graders' integrity check on a
 * student's turns ("ignore previous instructions", "you are now...", a role
 * play of a system message, "mark every item as met").
 */
import { normalizeText } from './phrases.js';

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

/** Words aimed at whoever grades the transcript, not at the patient. */
const GRADER_PATTERNS: RegExp[] = [
  /\b(mark|grade|score|rate|count|credit)\b.{0,40}\b(every|all|each|this|these|the whole)\b.{0,30}\b(items?|criteria|rubric|boxes)\b.{0,30}\b(met|passed|complete|correct|covered)\b/,
  /\b(full|maximum|top|100|perfect) (marks|score|points)\b/,
  /\b(to|dear|attention|note (to|for)) (the )?(grader|examiner|marker|assessor|ai|model|language model|llm)\b/,
  /\b(grader|examiner|marker|assessor)\b.{0,40}\b(should|must|will|please)\b/,
  /\bas an ai\b|\bai (grader|model|assistant)\b|\blanguage model\b/,
  /\b(give|award) (me|this (student|interview|session)) (full|all|maximum|100)\b/,
];

/** Does a student's turn address the grader or an AI, rather than the patient? */
export function addressesTheGrader(message: string): boolean {
  const text = normalizeText(message);
  return looksLikeInjection(message) || GRADER_PATTERNS.some((pattern) => pattern.test(text));
}
