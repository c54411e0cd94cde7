/**
 * The demo case studies `pnpm db:seed` loads: data files in `content/cases/*.json`, each one case
 * in exactly the document format case authoring imports and exports (`caseStudyContentSchema`).
 * Read when asked (the seed, tests), in the shipped order below then by name; a file that breaks the schema fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaseStudyContentInput, caseStudyContentSchema } from '@sp/core';
import { REPO_ROOT } from '@sp/runtime';

export const DEMO_CASES_DIR = join(REPO_ROOT, 'content', 'cases');

/** Callers pick "the first demo case": this order is kept, any further file follows by name. */
const SHIPPED_ORDER = ['fatigue-polyuria', 'acute-chest-pain', 'child-fever'];

export function loadCaseFiles(dir = DEMO_CASES_DIR): CaseStudyContentInput[] {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length));
  const rank = (name: string) => (SHIPPED_ORDER.includes(name) ? SHIPPED_ORDER.indexOf(name) : SHIPPED_ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((name) => {
    const raw: unknown = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    const parsed = caseStudyContentSchema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      throw new Error(`content/cases/${name}.json breaks the case-study schema at ${where}`);
    }
    if (parsed.data.slug !== name) throw new Error(`content/cases/${name}.json has slug ${parsed.data.slug}`);
    return raw as CaseStudyContentInput;
  });
}
