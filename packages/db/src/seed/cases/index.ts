/** The demo case studies as `content/cases/*.json` has them, read once when this module loads (tests, tools). */
import { loadCaseFiles } from './load.js';

export { DEMO_CASES_DIR, loadCaseFiles } from './load.js';

export const seedCaseStudies = loadCaseFiles();
