/**
 * The labelled evaluation set: interviews written for the three demo cases,
 * each rubric item labelled by hand from the rubric's own criteria, as an
 * examiner would, with a one-line reason. The labels were written before the
 * offline grader was tuned and are never changed to suit a grader.
 *
 * Only the student's turns are written: the evaluation sends them through the
 * text channel, so the patient's answers are whatever the patient says. A
 * label judges what the student asked or did; an item whose criteria ask the
 * student to "elicit" a fact counts as elicited when the student asked the
 * question that reaches it.
 */
import type { Verdict } from '@sp/core';

export const interviewKinds = [
  'excellent',
  'good',
  'mediocre',
  'poor',
  'off_topic',
  'keyword_list',
  'leading',
  'paraphrase',
] as const;
export type InterviewKind = (typeof interviewKinds)[number];

export interface Label {
  verdict: Verdict;
  reason: string;
}

export interface LabelledInterview {
  id: string;
  /** The seeded case study's slug. */
  caseSlug: string;
  kind: InterviewKind;
  /** The student's turns, in order. */
  student: string[];
  /** One label per rubric item of the case, by item id. */
  labels: Record<string, Label>;
}

export const met = (reason: string): Label => ({ verdict: 'met', reason });
export const partial = (reason: string): Label => ({ verdict: 'partially_met', reason });
export const notMet = (reason: string): Label => ({ verdict: 'not_met', reason });
