/**
 * What a case study looks like from the outside. Students get enough to pick a
 * case; the facts (hidden ones especially) and the rubric stay with staff.
 */
import { z } from 'zod';

const timestamp = z.iso.datetime({ offset: true });

export const caseStudyStudentViewSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    patient: z.object({ name: z.string(), age: z.number().int(), sex: z.string() }),
    duration_limit: z.number().int(),
    max_attempts: z.number().int(),
  })
  .meta({ id: 'CaseStudy' });
export type CaseStudyStudentView = z.infer<typeof caseStudyStudentViewSchema>;

export const caseStudyStaffViewSchema = caseStudyStudentViewSchema
  .extend({
    persona: z.object({
      name: z.string(),
      age: z.number().int(),
      sex: z.string(),
      personality: z.string(),
      opening_line: z.string(),
      voice: z.string().nullable(),
    }),
    facts: z.array(
      z.object({
        id: z.string(),
        topic: z.string(),
        content: z.string(),
        keywords: z.array(z.string()),
        disclosure: z.enum(['volunteer', 'when_asked']),
      }),
    ),
    instructions: z.string(),
    rubric: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        criteria: z.string(),
        weight: z.number(),
        cues: z.array(z.string()),
      }),
    ),
    published: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'CaseStudyWithAuthoring', description: 'Instructors and admins: persona, facts and rubric too' });
export type CaseStudyStaffView = z.infer<typeof caseStudyStaffViewSchema>;

export const caseStudyViewSchema = z.union([caseStudyStaffViewSchema, caseStudyStudentViewSchema]);
export type CaseStudyView = z.infer<typeof caseStudyViewSchema>;
