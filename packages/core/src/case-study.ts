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

export const caseStudyContentSchema = z.object({
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
});
export type CaseStudyContent = z.infer<typeof caseStudyContentSchema>;
