/**
 * What the model must answer, as a zod schema built from the rubric (sent as
 * the structured-output schema and used to parse the answer), and the checks
 * a schema cannot express: every item exactly once, evidence that points at
 * real student turns. An answer failing any check is never stored.
 */
import { type RubricItem, verdictSchema } from '@sp/core';
import { z } from 'zod';

import type { TranscriptTurn } from './transcript.js';

export function modelAnswerSchema(rubric: RubricItem[]) {
  const ids = rubric.map((r) => r.id) as [string, ...string[]];
  return z.object({
    items: z.array(
      z.object({
        item_id: z.enum(ids),
        verdict: verdictSchema,
        evidence: z.array(z.number().int()),
        justification: z.string(),
      }),
    ),
    strengths: z.array(z.string()),
    improvements: z.array(z.string()),
    narrative: z.string(),
  });
}
export type ModelAnswer = z.infer<ReturnType<typeof modelAnswerSchema>>;

const MAX_JUSTIFICATION = 600;

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATIONS = /\b(?:e\.g|i\.e|etc|vs|approx|cf|dr|mr|mrs|ms)\./giu;
/**
 * A sentence end (`.`, `!`, `?`, then maybe closing quotes or brackets) and a
 * new sentence after it (a capital or a digit: `Asked "why?" twice` is one).
 */
const SENTENCE_BREAK = /[.!?…]+["'”’)\]]*\s+["'“‘([]?[\p{Lu}\p{N}]/u;

/** One sentence: no sentence-ending punctuation followed by more text, and not overly long. */
export function isOneSentence(text: string): boolean {
  const trimmed = text.trim();
  return (
    trimmed.length > 0 &&
    trimmed.length <= MAX_JUSTIFICATION &&
    !SENTENCE_BREAK.test(trimmed.replace(ABBREVIATIONS, ''))
  );
}

const blank = (values: string[]) => values.every((v) => !v.trim());

/** Why the answer cannot be stored; empty when it can. */
export function answerProblems(answer: ModelAnswer, rubric: RubricItem[], turns: TranscriptTurn[]): string[] {
  const problems: string[] = [];
  const roleOf = new Map(turns.map((t) => [t.sequence, t.role]));
  const seen = new Set<string>();
  for (const item of answer.items) {
    if (seen.has(item.item_id)) problems.push(`item ${item.item_id} appears more than once`);
    seen.add(item.item_id);
    for (const sequence of item.evidence) {
      const role = roleOf.get(sequence);
      if (!role) problems.push(`item ${item.item_id} cites turn ${sequence}, which does not exist`);
      else if (role !== 'user') problems.push(`item ${item.item_id} cites turn ${sequence}, a patient turn`);
    }
    if (item.verdict !== 'not_met' && item.evidence.length === 0) {
      problems.push(`item ${item.item_id} is ${item.verdict} but cites no student turn`);
    }
    if (!isOneSentence(item.justification)) {
      problems.push(`item ${item.item_id} needs a justification of one sentence`);
    }
  }
  const missing = rubric.filter((r) => !seen.has(r.id)).map((r) => r.id);
  if (missing.length) problems.push(`items missing: ${missing.join(', ')}`);
  if (blank(answer.strengths)) problems.push('no strengths given');
  if (blank(answer.improvements)) problems.push('nothing to improve given');
  if (!answer.narrative.trim()) problems.push('the narrative is empty');
  return problems;
}
