/**
 * Figures computed from a session's transcript and clock, as pure functions:
 * its wall-clock duration, the transcript as one text, word counts and each
 * message's offset from the start.
 */

export interface TranscriptTurn {
  role: 'user' | 'assistant';
  content: string;
  sequence: number;
  timestamp: Date;
}

/** How each side is named in `full_transcript`. */
export const SPEAKER_LABELS = { user: 'Student', assistant: 'Patient' } as const;

export interface WordCount {
  student: number;
  patient: number;
  total: number;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** Wall-clock seconds from `start_time` to `end_time` (or to now while it runs); null before it started. */
export function durationSeconds(startTime: Date | null, endTime: Date | null, now: Date): number | null {
  if (!startTime) return null;
  return Math.max(0, seconds((endTime ?? now).getTime() - startTime.getTime()));
}

/** Seconds from the session's `start_time` to a message; null while the session has no start time. */
export function messageOffset(timestamp: Date, startTime: Date | null): number | null {
  if (!startTime) return null;
  return seconds(timestamp.getTime() - startTime.getTime());
}

/** Words are runs of non-space characters. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/u).length : 0;
}

/** One line per turn in sequence order: `Student: …` / `Patient: …`; each run of white space inside a turn becomes one space. */
export function fullTranscript(turns: readonly Pick<TranscriptTurn, 'role' | 'content' | 'sequence'>[]): string {
  return [...turns]
    .sort((a, b) => a.sequence - b.sequence)
    .map((turn) => `${SPEAKER_LABELS[turn.role]}: ${turn.content.replace(/\s+/gu, ' ').trim()}`)
    .join('\n');
}

export function wordCount(turns: readonly Pick<TranscriptTurn, 'role' | 'content'>[]): WordCount {
  let student = 0;
  let patient = 0;
  for (const turn of turns) {
    if (turn.role === 'user') student += countWords(turn.content);
    else patient += countWords(turn.content);
  }
  return { student, patient, total: student + patient };
}
