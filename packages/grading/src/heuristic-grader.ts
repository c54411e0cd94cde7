/**
 * The offline grader, for when no model is configured. Each rubric item is a
 * set of elements an examiner looks for (for pain: site, character,
 * radiation...), each with a cue family. An element counts when the student
 * *elicits* it: a cue is found, on whole words and lemmas, in a sentence that
 * can earn the item (for most items a question or invitation; never a list,
 * an assumption or a turn that addresses the grader). Each student word counts
 * once per item. Met / partially met / not met follow from how many elements
 * were found (`elementsForMet`, default all; `elementsForPartial`, default one).
 * Evidence is exactly the turns whose sentences supplied an element.
 * Deterministic, the same report shape as the model grader, labelled `heuristic`.
 */
import type { IntegrityFlag, ReportItem, RubricItem, Verdict } from '@sp/core';
import { findInjectionTurns } from './integrity.js';
import { cueLemmas, readTurn, type Sentence, tokenMatches } from './language.js';
import { clinicalLexicon } from './lexicon.js';
import { type GradeResult, scoreOf } from './report.js';
import { type GradingInput, studentTurns } from './transcript.js';

/** Distinct cues to call an item met when it has no elements: a third of its cues, at least one, at most three. */
export const cuesForMet = (cueCount: number) => Math.min(3, Math.max(1, Math.ceil(cueCount / 3)));

/** Turns that can introduce the student: the first few. */
export const INTRODUCTION_TURNS = 3;
/** A summary shorter than this many words leaves out the key features: at most partially met. */
export const SUMMARY_MIN_WORDS = 25;

type Credit = NonNullable<RubricItem['credit']>;

interface Reading {
  elements: { id: string; label: string; cues: string[][] }[];
  forMet: number;
  forPartial: number;
  credit: Credit;
}

function expandCues(cues: string[]): string[][] {
  return cues.flatMap((cue) => (cue.startsWith('@') ? (clinicalLexicon[cue.slice(1)] ?? []) : [cue])).map(cueLemmas);
}

/** The item as elements: its own, or (an item written before elements) each cue an element. */
export function readingOf(item: RubricItem): Reading {
  if (item.elements?.length) {
    const elements = item.elements.map((e) => ({ id: e.id, label: e.label, cues: expandCues(e.cues) }));
    return {
      elements,
      forMet: Math.min(item.elementsForMet ?? elements.length, elements.length),
      forPartial: Math.min(item.elementsForPartial ?? 1, elements.length),
      credit: item.credit ?? 'asking',
    };
  }
  const elements = item.cues.map((cue) => ({ id: cue, label: `"${cue}"`, cues: expandCues([cue]) }));
  return { elements, forMet: cuesForMet(elements.length), forPartial: 1, credit: item.credit ?? 'asking' };
}

interface ReadSentence extends Sentence {
  sequence: number;
  turnIndex: number;
  turnWords: number;
  /** In one of the student's last two turns. */
  closing: boolean;
}

function canEarn(credit: Credit, s: ReadSentence): boolean {
  switch (credit) {
    case 'asking':
      return s.kind === 'question';
    case 'introducing':
      return s.turnIndex < INTRODUCTION_TURNS && (s.kind === 'question' || s.kind === 'statement');
    case 'responding':
      return s.kind === 'statement';
    case 'summarising':
      return s.kind !== 'assumption';
  }
}

/**
 * A statement in the student's last two turns reads as a closing summary when
 * it is this long, or opens with "so" and is at least a third as long.
 */
export const CLOSING_STATEMENT_WORDS = 15;

/** Finds a cue in a sentence on words not yet used for this item; marks and reports them. */
function findCue(cue: string[], s: ReadSentence, used: Set<string>): boolean {
  const { tokens } = s;
  const untouched = () => tokens.every((_, k) => !used.has(`${s.sequence}:${s.text}:${k}`));
  // Any other question: one whose words earned nothing else in this item.
  if (cue.length === 1 && cue[0] === '<question>') return s.kind === 'question' && untouched();
  if (cue.length === 1 && cue[0] === '<closing-statement>') {
    const long = tokens.length >= CLOSING_STATEMENT_WORDS;
    const opensWithSo = tokens[0]?.word === 'so' && tokens.length >= CLOSING_STATEMENT_WORDS / 3;
    return s.kind !== 'question' && s.closing && (long || opensWithSo) && untouched();
  }
  for (let start = 0; start + cue.length <= tokens.length; start++) {
    let ok = true;
    for (let k = 0; k < cue.length && ok; k++) {
      ok = !used.has(`${s.sequence}:${s.text}:${start + k}`) && tokenMatches(tokens[start + k]!, cue[k]!);
    }
    if (ok) {
      for (let k = 0; k < cue.length; k++) used.add(`${s.sequence}:${s.text}:${start + k}`);
      return true;
    }
  }
  return false;
}

const list = (labels: string[]) =>
  labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;

function judge(item: RubricItem, sentences: ReadSentence[]): ReportItem {
  const reading = readingOf(item);
  if (!reading.elements.length) {
    return {
      item_id: item.id,
      verdict: 'not_met',
      evidence: [],
      justification: 'This item has no elements or cue phrases, so the offline grader cannot judge it.',
    };
  }
  const eligible = sentences.filter((s) => canEarn(reading.credit, s));
  const used = new Set<string>();
  const found: string[] = [];
  const missing: string[] = [];
  const evidence = new Set<number>();
  const foundIn = new Map<string, ReadSentence[]>();
  // First each element takes its first match, so no element takes the only word another needs;
  // then found elements collect their other matches, for the evidence.
  const hits = new Map<string, ReadSentence[]>();
  for (const element of reading.elements) {
    const first = eligible.find((s) => element.cues.some((cue) => findCue(cue, s, used)));
    if (first) hits.set(element.id, [first]);
  }
  for (const element of reading.elements) {
    const own = hits.get(element.id);
    if (!own) {
      missing.push(element.label);
      continue;
    }
    for (const s of eligible) if (!own.includes(s) && element.cues.some((cue) => findCue(cue, s, used))) own.push(s);
    found.push(element.label);
    foundIn.set(element.id, own);
    // A bare "any question" element shows the first question, not every one.
    const cited = element.cues.every((c) => c[0] === '<question>') ? own.slice(0, 1) : own;
    for (const s of cited) evidence.add(s.sequence);
  }
  let verdict: Verdict =
    found.length >= reading.forMet ? 'met' : found.length >= reading.forPartial ? 'partially_met' : 'not_met';
  let shortSummary = false;
  // A summarising item needs the summary itself: a check or next steps alone earn nothing.
  if (reading.credit === 'summarising' && !foundIn.has(reading.elements[0]!.id)) verdict = 'not_met';
  if (reading.credit === 'summarising' && verdict === 'met') {
    const recap = foundIn.get(reading.elements[0]!.id) ?? [];
    if (!recap.some((s) => s.turnWords >= SUMMARY_MIN_WORDS)) {
      verdict = 'partially_met';
      shortSummary = true;
    }
  }
  const turns = [...evidence].sort((a, b) => a - b);
  const verb = reading.credit === 'asking' ? 'Elicited' : 'Found';
  const justification = found.length
    ? `${verb} ${found.length} of ${reading.elements.length} elements (${list(found)}) in turn${turns.length > 1 ? 's' : ''} ${turns.join(', ')}` +
      (missing.length ? `; missing: ${list(missing)}.` : '.') +
      (shortSummary ? ` The summary is under ${SUMMARY_MIN_WORDS} words, so it leaves out the key features.` : '')
    : `Not elicited: none of its elements (${list(missing)}) was asked about${reading.credit === 'asking' ? '' : ' or said'}.`;
  // A verdict of not met cites nothing (fewer elements than a partial credit needs prove nothing).
  return { item_id: item.id, verdict, evidence: verdict === 'not_met' ? [] : turns, justification };
}

const byWeight = (rubric: RubricItem[], items: ReportItem[], verdict: Verdict) =>
  rubric.filter((r) => items.find((i) => i.item_id === r.id)?.verdict === verdict).sort((a, b) => b.weight - a.weight);

export function gradeHeuristically(input: GradingInput): GradeResult {
  const turns = studentTurns(input.turns);
  const flags: IntegrityFlag[] = findInjectionTurns(input.turns);
  const flagged = new Set(flags.map((f) => f.turn));
  // A turn that addresses the grader is never read for credit.
  const sentences: ReadSentence[] = turns.flatMap((t, turnIndex) => {
    if (flagged.has(t.sequence)) return [];
    const read = readTurn(t.content);
    const turnWords = read.reduce((n, s) => n + s.tokens.length, 0);
    const closing = turnIndex >= turns.length - 2;
    return read.map((s) => ({ ...s, sequence: t.sequence, turnIndex, turnWords, closing }));
  });
  const items = input.rubric.map((item) => judge(item, sentences));
  const score = scoreOf(input.rubric, items);
  const met = byWeight(input.rubric, items, 'met');
  const partial = byWeight(input.rubric, items, 'partially_met');
  const missed = byWeight(input.rubric, items, 'not_met');
  const strengths = (met.length ? met : partial).slice(0, 3).map((r) => r.title);
  const improvements = [...missed, ...partial].slice(0, 3).map((r) => r.title);
  const narrative = [
    `Offline heuristic grade (no model is configured): what you asked in your ${turns.length} turn${turns.length === 1 ? '' : 's'} was read against the elements of each rubric item.`,
    `${met.length} of ${input.rubric.length} items met, ${partial.length} partially met, for a score of ${score}.`,
    improvements[0] ? `The biggest gap: ${improvements[0]}.` : 'Every item was covered.',
    flags.length
      ? `Turn${flags.length > 1 ? 's' : ''} ${flags.map((f) => f.turn).join(', ')} addressed the grader rather than the patient: not credited, and the report is marked for an instructor's review.`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    grader: 'heuristic',
    model: null,
    score,
    items,
    strengths,
    improvements,
    narrative,
    integrityFlags: flags,
  };
}
