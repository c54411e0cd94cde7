/**
 * The offline grader, for when no model is configured: each rubric item's cue
 * phrases are looked for in the student's turns. Deterministic, same report
 * shape as the model grader, labelled `heuristic`.
 */
import { normalizeText, phrasePattern, type RubricItem } from '@sp/core';
import { type GradeResult, type ReportItem, scoreOf, type Verdict } from './report.js';
import { type GradingInput, studentTurns, type TranscriptTurn } from './transcript.js';

/** Distinct cues to call an item met: a third of its cues, at least one, at most three. */
export const cuesForMet = (cueCount: number) => Math.min(3, Math.max(1, Math.ceil(cueCount / 3)));

interface CueMatch {
  cues: string[];
  evidence: number[];
}

function matchCues(item: RubricItem, turns: TranscriptTurn[]): CueMatch {
  const texts = turns.map((t) => ({ sequence: t.sequence, text: normalizeText(t.content) }));
  const cues: string[] = [];
  const evidence = new Set<number>();
  for (const cue of item.cues) {
    const pattern = phrasePattern(cue);
    const hits = texts.filter((t) => pattern.test(t.text));
    if (!hits.length) continue;
    cues.push(cue);
    for (const hit of hits) evidence.add(hit.sequence);
  }
  return { cues, evidence: [...evidence].sort((a, b) => a - b) };
}

const quoted = (cues: string[]) =>
  cues
    .slice(0, 3)
    .map((c) => `"${c}"`)
    .join(', ') + (cues.length > 3 ? ` and ${cues.length - 3} more` : '');

function judge(item: RubricItem, turns: TranscriptTurn[]): ReportItem {
  if (!item.cues.length) {
    return {
      item_id: item.id,
      verdict: 'not_met',
      evidence: [],
      justification: 'This item has no cue phrases, so the offline grader cannot judge it.',
    };
  }
  const { cues, evidence } = matchCues(item, turns);
  const verdict: Verdict =
    cues.length >= cuesForMet(item.cues.length) ? 'met' : cues.length ? 'partially_met' : 'not_met';
  const justification = cues.length
    ? `Matched ${cues.length} of its cue phrases (${quoted(cues)}) in turn${evidence.length > 1 ? 's' : ''} ${evidence.join(', ')}.`
    : "None of this item's cue phrases appeared in the student's turns.";
  return { item_id: item.id, verdict, evidence, justification };
}

const byWeight = (rubric: RubricItem[], items: ReportItem[], verdict: Verdict) =>
  rubric.filter((r) => items.find((i) => i.item_id === r.id)?.verdict === verdict).sort((a, b) => b.weight - a.weight);

export function gradeHeuristically(input: GradingInput): GradeResult {
  const turns = studentTurns(input.turns);
  const items = input.rubric.map((item) => judge(item, turns));
  const score = scoreOf(input.rubric, items);
  const met = byWeight(input.rubric, items, 'met');
  const partial = byWeight(input.rubric, items, 'partially_met');
  const missed = byWeight(input.rubric, items, 'not_met');
  const strengths = (met.length ? met : partial).slice(0, 3).map((r) => r.title);
  const improvements = [...missed, ...partial].slice(0, 3).map((r) => r.title);
  const narrative = [
    `Offline heuristic grade (no model is configured): the rubric's cue phrases were matched against your ${turns.length} turn${turns.length === 1 ? '' : 's'}.`,
    `${met.length} of ${input.rubric.length} items met, ${partial.length} partially met, for a score of ${score}.`,
    improvements[0] ? `The biggest gap: ${improvements[0]}.` : 'Every item was covered.',
  ].join(' ');
  return { grader: 'heuristic', model: null, score, items, strengths, improvements, narrative };
}
