/**
 * The study assistant's router: `free-chat` is resolved to one lane by the
 * words of the message and what the student is viewing, with a confidence;
 * a quick action the student chose is taken as it is. Deterministic and
 * local, so `meta` goes out before any model is asked anything.
 */
import { type ChatAction, type ChatLane, type ChatPage, normalizeText, phrasePattern } from '@sp/core';

export interface Route {
  action: ChatLane;
  confidence: number;
}

/** Lanes in the order a tie is settled. */
const LANES: ChatLane[] = ['explain-concept', 'submission-guide', 'advisor'];

const CUES: Record<ChatLane, string[]> = {
  'explain-concept': [
    'explain',
    'what is',
    'what are',
    'what does',
    'how does',
    'how do',
    'why does',
    'why do',
    'define',
    'definition',
    'meaning of',
    'difference between',
    'example of',
    'understand',
    'concept',
    'theory',
    'formula',
    'mechanism',
  ],
  'submission-guide': [
    'assignment',
    'essay',
    'coursework',
    'submission',
    'submit',
    'deadline',
    'word count',
    'rubric',
    'marking',
    'reference',
    'citation',
    'cite',
    'plagiarism',
    'draft',
    'structure my',
    'introduction for',
    'conclusion for',
    'lab report',
    'dissertation',
    'project report',
  ],
  advisor: [
    'course',
    'module',
    'enrol',
    'register',
    'registration',
    'credits',
    'semester',
    'programme',
    'program',
    'major',
    'minor',
    'gpa',
    'cgpa',
    'career',
    'timetable',
    'prerequisite',
    'withdraw',
    'transfer',
    'graduate',
    'graduation',
    'advisor',
    'adviser',
    'study plan',
    'workload',
  ],
};

const CUE_PATTERNS = Object.fromEntries(
  LANES.map((lane) => [lane, CUES[lane].map((cue) => phrasePattern(cue, { wholeWord: true }))]),
) as Record<ChatLane, RegExp[]>;

/** What the page says about the lane: an assignment page leans to submissions, course material to concepts. */
function pageHint(page: ChatPage | undefined): ChatLane | null {
  const where = normalizeText(`${page?.path ?? ''} ${page?.title ?? ''}`);
  if (/assignment|submission|coursework|assessment/.test(where)) return 'submission-guide';
  if (/advis|registration|enrol|programme|timetable/.test(where)) return 'advisor';
  if (page?.material_id || /material|lesson|lecture|module|unit/.test(where)) return 'explain-concept';
  return null;
}

export function routeMessage(action: ChatAction, body: string, page?: ChatPage): Route {
  if (action !== 'free-chat') return { action, confidence: 1 };
  const text = normalizeText(body);
  const hint = pageHint(page);
  const scores = LANES.map((lane) => {
    const words = CUE_PATTERNS[lane].filter((pattern) => pattern.test(text)).length;
    return { lane, score: words + (hint === lane ? 1 : 0) };
  });
  const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
  const total = scores.reduce((sum, s) => sum + s.score, 0);
  // Smoothed share of the evidence: no signal at all is a third, one clear cue is already a majority.
  const confidence = (best.score + 1) / (total + LANES.length);
  return { action: best.lane, confidence: Math.round(confidence * 100) / 100 };
}
