/** The whole labelled evaluation set, and what is measured on it. */
import { acuteChestPainInterviews } from './acute-chest-pain.js';
import { childFeverInterviews } from './child-fever.js';
import { fatiguePolyuriaInterviews } from './fatigue-polyuria.js';
import { heldOutInterviews } from './held-out.js';
import { heldOutInterviewsTwo } from './held-out-2.js';
import { heldOutInterviewsThree } from './held-out-3.js';
import type { LabelledInterview } from './types.js';

export * from './metrics.js';
export * from './types.js';

export const evaluationSet: LabelledInterview[] = [
  ...acuteChestPainInterviews,
  ...childFeverInterviews,
  ...fatiguePolyuriaInterviews,
  ...heldOutInterviews,
  ...heldOutInterviewsTwo,
  ...heldOutInterviewsThree,
];
export * from './offline.js';
