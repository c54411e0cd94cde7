/**
 * The offline patient: when no model endpoint is configured, the text channel
 * still answers. Deterministically, it picks the case study's authored fact
 * that best matches the student's question (the fact's keywords and topic,
 * longer phrases counting for more) and answers with it, in the patient's own
 * words as the author wrote them. A greeting before the patient has spoken
 * gets the opening line; anything else it cannot place gets an in-character
 * "I don't know".
 */
import { type Fact, normalizeText, phrasePattern, type TurnRole } from '@sp/core';
import type { PatientCase } from './compile-persona.js';

export interface ScriptedReply {
  text: string;
  /** The fact answered from; null for the opening line or an "I don't know". */
  factId: string | null;
}

export interface PriorTurn {
  role: TurnRole;
  content: string;
}

const GREETING = /\b(hello|hi|hey|good (morning|afternoon|evening)|my name is|nice to meet you)\b/;

/** Said when no fact matches; one is picked by the question so the same question gets the same answer. */
const NOT_KNOWN = [
  "I'm sorry, I'm not sure about that.",
  "Hmm, I don't really know, to be honest.",
  "I couldn't tell you, I'm afraid. Nobody's ever asked me that.",
];

const wordsIn = (phrase: string) => phrase.trim().split(/\s+/).length;

/** How well a question reaches a fact: each matching keyword (or the topic) counts its number of words. */
export function factScore(fact: Fact, question: string): number {
  const text = normalizeText(question);
  let score = 0;
  for (const phrase of [...(fact.keywords ?? []), fact.topic]) {
    if (phrasePattern(phrase, { wholeWord: true }).test(text)) score += wordsIn(phrase);
  }
  return score;
}

export function scriptedReply(patient: PatientCase, question: string, history: PriorTurn[]): ScriptedReply {
  const told = new Set(history.filter((t) => t.role === 'assistant').map((t) => t.content));
  let best: { fact: Fact; score: number } | null = null;
  for (const fact of patient.facts) {
    const score = factScore(fact, question);
    if (score === 0) continue;
    // Ties go to a fact not yet told, then to the author's order.
    const better =
      !best || score > best.score || (score === best.score && told.has(best.fact.content) && !told.has(fact.content));
    if (better) best = { fact, score };
  }
  if (best) return { text: best.fact.content, factId: best.fact.id };
  const hasSpoken = history.some((t) => t.role === 'assistant');
  if (!hasSpoken && GREETING.test(normalizeText(question))) {
    return { text: patient.persona.openingLine, factId: null };
  }
  return { text: NOT_KNOWN[stableIndex(question, NOT_KNOWN.length)] ?? NOT_KNOWN[0]!, factId: null };
}

function stableIndex(text: string, size: number): number {
  let hash = 0;
  for (const char of normalizeText(text)) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % size;
}
