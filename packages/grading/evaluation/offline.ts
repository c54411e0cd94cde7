/** The offline grader on the labelled set, without the database: the regression bar's fast path. */
import { type CaseStudyContent, caseStudyContentSchema } from '@sp/core';
import { seedCaseStudies } from '@sp/db/seed-cases';
import { gradeHeuristically } from '../src/heuristic-grader.js';
import type { GradeResult } from '../src/report.js';
import type { TranscriptTurn } from '../src/transcript.js';
import type { GradedInterview } from './metrics.js';
import type { LabelledInterview } from './types.js';

export const demoCases: CaseStudyContent[] = seedCaseStudies.map((c) => caseStudyContentSchema.parse(c));

/** The interview as the text channel numbers it: each student turn, then the patient's reply. */
export function transcriptOf(interview: LabelledInterview): TranscriptTurn[] {
  return interview.student.flatMap((content, i) => [
    { sequence: 1 + 2 * i, role: 'user' as const, content },
    { sequence: 2 + 2 * i, role: 'assistant' as const, content: 'Okay.' },
  ]);
}

export function gradeOffline(interview: LabelledInterview): GradedInterview & { result: GradeResult } {
  const content = demoCases.find((c) => c.slug === interview.caseSlug);
  if (!content) throw new Error(`no demo case ${interview.caseSlug}`);
  const result = gradeHeuristically({
    sessionId: '00000000-0000-4000-8000-000000000000',
    tenantId: '00000000-0000-4000-8000-000000000000',
    caseTitle: content.title,
    rubric: content.rubric,
    turns: transcriptOf(interview),
  });
  return {
    interview,
    rubric: content.rubric,
    verdicts: Object.fromEntries(result.items.map((i) => [i.item_id, i.verdict])),
    score: result.score,
    result,
  };
}
