/**
 * Matching authored phrases (rubric cues, fact keywords) against what a
 * student wrote or said. Shared by the offline grader and the offline
 * patient, so both read a student's words the same way.
 */

/** Lower case, straight apostrophes, single spaces. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\s+/g, ' ');
}

/**
 * A phrase matches at the start of a word, so "sweat" also finds "sweating".
 * `wholeWord` asks for the phrase itself or a plain inflection of it
 * ("drink", "drinks", "drinking"), so "ear" no longer finds "early".
 */
export function phrasePattern(phrase: string, options: { wholeWord?: boolean } = {}): RegExp {
  const escaped = normalizeText(phrase)
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ending = options.wholeWord ? '(?:s|es|d|ed|ing)?(?![\\p{L}\\p{N}])' : '';
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}${ending}`, 'u');
}
