/**
 * What an instructor authors: the patient persona, the facts the patient knows,
 * and the rubric the student's interview is graded against.
 */
import { z } from 'zod';

export const personaSchema = z.object({
  name: z.string().min(1).max(120),
  age: z.number().int().min(0).max(130),
  sex: z.enum(['female', 'male', 'intersex', 'unspecified']),
  /** How the patient comes across: temperament, worries, speech habits. */
  personality: z.string().min(1).max(2000),
  /** First words of a new session. */
  openingLine: z.string().min(1).max(500),
  /** TTS voice; the worker falls back to its configured default when absent. */
  voice: z.string().min(1).max(60).optional(),
});
export type Persona = z.infer<typeof personaSchema>;

export const factSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,60}$/),
  topic: z.string().min(1).max(120),
  /** What the patient says, in their own words. */
  content: z.string().min(1).max(2000),
  /** Words a student's question may use to reach this fact (offline patient, heuristics). */
  keywords: z.array(z.string().min(1).max(60)).max(40).default([]),
  /** `volunteer`: may be offered freely; `when_asked`: only in answer to a question that reaches it. */
  disclosure: z.enum(['volunteer', 'when_asked']),
});
export type Fact = z.infer<typeof factSchema>;

/**
 * One thing an examiner looks for within a rubric item (for pain: site,
 * character, radiation...), with the cue family that finds it in a student's
 * words. A cue is a phrase matched on whole words and their lemmas ("radiate"
 * also finds "radiates", "radiating"); `@family` stands for a family of the
 * shared clinical-interview lexicon, `<name>` for a person's name, `<question>`
 * for any question the student asks.
 */
export const rubricElementSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,60}$/),
  label: z.string().min(1).max(120),
  cues: z.array(z.string().min(1).max(80)).min(1).max(60),
});
export type RubricElement = z.infer<typeof rubricElementSchema>;

/**
 * Which of the student's sentences can earn the item offline: `asking`
 * (questions and invitations; the default), `introducing` (anything said in
 * the first turns), `responding` (statements to the patient, e.g. empathy) or
 * `summarising` (a summary given back to the patient).
 */
export const rubricCreditModes = ['asking', 'introducing', 'responding', 'summarising'] as const;

export const rubricItemSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,60}$/),
  title: z.string().min(1).max(200),
  /** What counts as met, for the grader. */
  criteria: z.string().min(1).max(2000),
  weight: z.number().positive().max(100),
  /** Phrases in a student's turn that count as evidence for the offline grader. */
  cues: z.array(z.string().min(1).max(80)).max(40).default([]),
  /** The offline grader's reading of the item: its elements, each with a cue family (replaces `cues` when given). */
  elements: z.array(rubricElementSchema).max(20).optional(),
  credit: z.enum(rubricCreditModes).optional(),
  /** Elements to find for met (default: all of them). */
  elementsForMet: z.number().int().min(1).max(20).optional(),
  /** Elements to find for partially met (default: one). */
  elementsForPartial: z.number().int().min(1).max(20).optional(),
});
export type RubricItem = z.infer<typeof rubricItemSchema>;

export const caseStudyContentSchema = z
  .object({
    slug: z.string().regex(/^[a-z0-9-]{1,80}$/),
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(4000),
    persona: personaSchema,
    facts: z.array(factSchema).min(1).max(200),
    /** Extra direction for the patient (setting, what to hide, how to react). */
    instructions: z.string().max(8000).default(''),
    rubric: z.array(rubricItemSchema).min(1).max(50),
    durationLimit: z.number().int().min(10).max(7200).default(600),
    maxAttempts: z.number().int().min(1).max(100).default(3),
    published: z.boolean().default(true),
  })
  .superRefine((content, ctx) => {
    // Ids name facts and rubric items in transcripts' evidence and reports: each must be unique in its list.
    for (const list of ['facts', 'rubric'] as const) {
      const seen = new Set<string>();
      content[list].forEach((entry, index) => {
        if (seen.has(entry.id))
          ctx.addIssue({ code: 'custom', path: [list, index, 'id'], message: `duplicate id ${entry.id}` });
        seen.add(entry.id);
      });
    }
    content.rubric.forEach((item, index) => {
      const elements = item.elements?.length ?? 0;
      for (const key of ['elementsForMet', 'elementsForPartial'] as const) {
        const wanted = item[key];
        if (wanted !== undefined && wanted > Math.max(elements, 1)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rubric', index, key],
            message: `exceeds the item's ${elements} elements`,
          });
        }
      }
    });
  });
export type CaseStudyContent = z.infer<typeof caseStudyContentSchema>;
/** A case as a content file or an import document spells it (defaults may be left out). */
export type CaseStudyContentInput = z.input<typeof caseStudyContentSchema>;
/** What a version keeps: the content without `published`, which is the case's state, not its content. */
export type CaseVersionContent = Omit<CaseStudyContent, 'published'>;

/** Where an authored case stands: never published, live for students, withdrawn, or retired for good. */
export const caseStudyStatuses = ['draft', 'published', 'unpublished', 'archived'] as const;
export type CaseStudyStatus = (typeof caseStudyStatuses)[number];

/** A zod issue path as a reader writes it: `rubric[3].weight`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

export interface ContentChange {
  path: string;
  before: unknown;
  after: unknown;
}

/**
 * What changed between two versions, one entry per leaf field path (`rubric[2].weight`). Facts,
 * rubric items and elements are matched by position, as the author ordered them; an added or
 * removed entry is one change whose other side is null; a list of words is one field.
 */
export function contentChanges(before: unknown, after: unknown, path: PropertyKey[] = []): ContentChange[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    // A list of words (keywords, cues) is one field: it changed, or it did not.
    if ([...before, ...after].every((v) => typeof v !== 'object' || v === null)) {
      return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: fieldPath(path), before, after }];
    }
    const changes: ContentChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      if (i >= before.length) changes.push({ path: fieldPath([...path, i]), before: null, after: after[i] });
      else if (i >= after.length) changes.push({ path: fieldPath([...path, i]), before: before[i], after: null });
      else changes.push(...contentChanges(before[i], after[i], [...path, i]));
    }
    return changes;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => contentChanges(before[key] ?? null, after[key] ?? null, [...path, key]));
  }
  return [{ path: fieldPath(path), before: before ?? null, after: after ?? null }];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
