/** A case-study row as students see it (enough to choose) and as staff see it (everything). */
import type { CaseStudyStaffView, CaseStudyStudentView } from '@sp/core';
import type { CaseStudy } from '@sp/db';

export function caseStudyView(row: CaseStudy, staff: boolean): CaseStudyStudentView | CaseStudyStaffView {
  const student: CaseStudyStudentView = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    patient: { name: row.persona.name, age: row.persona.age, sex: row.persona.sex },
    duration_limit: row.durationLimit,
    max_attempts: row.maxAttempts,
  };
  if (!staff) return student;
  const { persona } = row;
  return {
    ...student,
    persona: {
      name: persona.name,
      age: persona.age,
      sex: persona.sex,
      personality: persona.personality,
      opening_line: persona.openingLine,
      voice: persona.voice ?? null,
    },
    facts: row.facts.map((f) => ({ ...f, keywords: f.keywords ?? [] })),
    instructions: row.instructions,
    rubric: row.rubric.map((r) => ({ ...r, cues: r.cues ?? [] })),
    published: row.published,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
