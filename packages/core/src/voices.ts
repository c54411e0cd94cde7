/**
 * The voices a case study may name for its patient: those of the configured
 * text-to-speech provider. On OpenAI itself, OpenAI's voices; on another
 * OpenAI-compatible server (OPENAI_BASE_URL), the names TTS_VOICES lists, or
 * any name when it lists none (the server is the judge then).
 */

/** OpenAI's text-to-speech voices (the worker's plugin types them the same; apps/agent keeps the two in step). */
export const OPENAI_TTS_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'nova',
  'onyx',
  'sage',
  'shimmer',
] as const;

export interface VoiceCatalog {
  provider: 'openai' | 'openai-compatible';
  /** The names a case may use; null when any name is passed to the server as it is. */
  voices: string[] | null;
}

/** The catalog from the settings: OPENAI_BASE_URL (unset: OpenAI) and TTS_VOICES (comma-separated names). */
export function voiceCatalog(settings: { OPENAI_BASE_URL?: string; TTS_VOICES?: string }): VoiceCatalog {
  const listed = (settings.TTS_VOICES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!settings.OPENAI_BASE_URL) {
    return { provider: 'openai', voices: listed.length > 0 ? listed : [...OPENAI_TTS_VOICES] };
  }
  return { provider: 'openai-compatible', voices: listed.length > 0 ? listed : null };
}

/** Why a case's persona voice is refused by this catalog, or null when it is fine (or names none). */
export function unknownVoiceProblem(voice: string | undefined, catalog: VoiceCatalog): string | null {
  if (voice === undefined || catalog.voices === null || catalog.voices.includes(voice)) return null;
  return `voice "${voice}" is not one the text-to-speech provider offers (${catalog.voices.join(', ')})`;
}
