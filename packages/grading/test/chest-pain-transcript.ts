/**
 * A history-taking transcript for the seeded acute-chest-pain case, written so
 * each rubric item has a known outcome for the offline grader (see the
 * heuristic grader's test). Patient turns mention previous episodes on
 * exertion; the student never asks, so that item must stay not met.
 */
import type { TranscriptTurn } from '../src/index.js';

const lines: [TranscriptTurn['role'], string][] = [
  ['assistant', "Alright, doc... sorry. It's this chest of mine. Feels like someone's sat right on it."],
  [
    'user',
    "Hello, my name is Sam and I'm a medical student. Can I confirm your name and date of birth? Is it okay if I ask you some questions?",
  ],
  ['assistant', 'Frank Doyle, fourteenth of May. Go on then.'],
  ['user', 'Can you tell me about what happened today?'],
  ['assistant', 'I was carrying boxes up the stairs and this weight came on my chest.'],
  ['user', 'When did the pain start, and what were you doing when it started? Is it still there?'],
  ['assistant', "About an hour and a half ago. It's still there now."],
  ['user', 'Where is the pain exactly, what does it feel like, does it spread anywhere, and how bad is it out of ten?'],
  [
    'assistant',
    "Dead centre, heavy, goes down my left arm. Eight out of ten. I've had something similar before, previous weeks, on exertion, walking up the hill.",
  ],
  ['user', 'Have you been sweating at all, or feeling sick?'],
  ['assistant', 'Cold sweat, yeah. And queasy.'],
  [
    'user',
    'Do you have any medical conditions, like blood pressure or cholesterol problems? Do you take any medications, and are you allergic to anything?',
  ],
  ['assistant', 'Blood pressure and cholesterol. Ramipril. I stopped the statin. No allergies.'],
  ['user', 'Do you smoke?'],
  ['assistant', 'Twenty a day.'],
  ['user', 'What do you think is causing it? What worries you most? And what are you hoping we can do today?'],
  ['assistant', "I'm scared it's my heart. My dad died of one. I want to go home tonight."],
  ['user', "I'm sorry, that sounds really frightening. I understand why you're worried."],
  ['assistant', 'Thanks, doc.'],
];

export const chestPainTranscript: TranscriptTurn[] = lines.map(([role, content], i) => ({
  sequence: i + 1,
  role,
  content,
}));

/** What the offline grader must conclude on this transcript, item by item. */
export const expectedHeuristicVerdicts = {
  introduction: 'met',
  open_questions: 'met',
  onset_and_course: 'met',
  pain_characteristics: 'partially_met',
  associated_symptoms: 'partially_met',
  previous_episodes: 'not_met',
  red_flags: 'not_met',
  past_history_medications_allergies: 'partially_met',
  risk_factors_family_social: 'partially_met',
  ice: 'met',
  empathy: 'partially_met',
  summary: 'not_met',
} as const;
