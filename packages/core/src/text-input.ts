/**
 * The one rule for text a client sends (JSON bodies, query strings, token
 * claims): no NUL character, which Postgres cannot store in text, and
 * well-formed Unicode (no lone surrogate, which cannot be encoded as UTF-8).
 * Such text is refused before anything reaches the database.
 */

/** In `u` mode a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `text` breaks the rule, or null when it is fine. */
export function textFault(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogate)';
  return null;
}

export interface TextFaultAt {
  /** Dotted path to the bad string (`context.page.title`), or the key itself for a bad key. */
  field: string;
  message: string;
}

/** Every string in a parsed JSON value (keys too) that breaks the rule. */
export function textFaults(value: unknown, path: string[] = []): TextFaultAt[] {
  const at = (message: string, key = path) => ({ field: key.length ? key.join('.') : '(root)', message });
  if (typeof value === 'string') {
    const fault = textFault(value);
    return fault ? [at(fault)] : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const faults: TextFaultAt[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const keyFault = textFault(key);
    if (keyFault) faults.push(at(`key ${keyFault}`, [...path, key]));
    faults.push(...textFaults(inner, [...path, key]));
  }
  return faults;
}
