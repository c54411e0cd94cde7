/** The case studies `pnpm db:seed` loads into a fresh database. */
import { acuteChestPain } from './acute-chest-pain.js';
import { childFever } from './child-fever.js';
import { fatiguePolyuria } from './fatigue-polyuria.js';

export { acuteChestPain, childFever, fatiguePolyuria };

export const seedCaseStudies = [fatiguePolyuria, acuteChestPain, childFever];
