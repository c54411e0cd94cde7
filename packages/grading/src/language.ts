/**
 * Reading a student's words for the offline grader: contractions expanded,
 * sentences split and tokenised with wink-nlp's English model (offline, no
 * network), each word kept with its lemma, and each sentence classed as a
 * question or invitation (it elicits), an assumption, a list, or a plain
 * statement. Cue phrases go through the same pipeline, so "radiates" finds
 * "radiating", and "wee" never finds "weeks".
 */

import model from 'wink-eng-lite-web-model';
import winkNLP, { type ItemSentence, type ItemToken } from 'wink-nlp';

/** The model is loaded on first use, so a process that never grades offline never pays for it. */
let loaded: ReturnType<typeof winkNLP> | null = null;
const nlpOf = () => {
  loaded ??= winkNLP(model);
  return loaded;
};

export interface Token {
  /** Lower case, as written (after contractions are expanded). */
  word: string;
  lemma: string;
  /** Written with a capital letter, and not at the start of its sentence. */
  capitalised: boolean;
}

export type SentenceKind = 'question' | 'assumption' | 'list' | 'statement';

export interface Sentence {
  text: string;
  kind: SentenceKind;
  tokens: Token[];
}

const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan't\b/gi, 'can not'],
  [/\bwon't\b/gi, 'will not'],
  [/\bshan't\b/gi, 'shall not'],
  [/\b(\w+)n't\b/gi, '$1 not'],
  [/\bi'm\b/gi, 'I am'],
  // "'s" before a past participle is "has" ("what's brought you in", "it's been"), else "is".
  [/\b(\w+)'s (been|got|gotten|brought|had|gone|led|happened|done|made|taken|given|stopped|changed)\b/gi, '$1 has $2'],
  [/\bname's\b/gi, 'name is'],
  [/\blet's\b/gi, 'let us'],
  [/\b(\w+)'re\b/gi, '$1 are'],
  [/\b(\w+)'ve\b/gi, '$1 have'],
  [/\b(\w+)'ll\b/gi, '$1 will'],
  [/\b(\w+)'d\b/gi, '$1 would'],
  [/\b(it|that|what|how|where|there|here|he|she|who|when|why|this)'s\b/gi, '$1 is'],
];

/** Straight apostrophes and contractions written out in full ("I've" → "I have", "isn't" → "is not"). */
export function expandContractions(text: string): string {
  let out = text.replace(/[\u2018\u2019\u02bc]/g, "'");
  for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  return out;
}

/** Lemmas of "be" are "be"; "am", "is", "are", "was", "were", "been" all read as "be". */
function tokensOf(text: string): Token[] {
  const nlp = nlpOf();
  const its = nlp.its;
  const doc = nlp.readDoc(text);
  const out: Token[] = [];
  doc.tokens().each((t: ItemToken) => {
    const type = t.out(its.type);
    if (type !== 'word' && type !== 'number' && type !== 'hashtag') return;
    const value = t.out(its.value);
    const word = t.out(its.normal).toLowerCase();
    // The lite model leaves some words unlemmatised: fall back to the word itself.
    const lemma = (String(t.out(its.lemma as Parameters<ItemToken['out']>[0])) || word).toLowerCase();
    out.push({ word, lemma, capitalised: /^\p{Lu}/u.test(value) && out.length > 0 });
  });
  return out;
}

const ASKING_START =
  /^(and |so |but |also |now |then |ok |okay |right |just |first |finally |lastly )*(what|when|where|which|who|whom|whose|why|how|do|does|did|is|are|am|was|were|have|has|had|can|could|would|will|shall|should|may|might|any|anything|anyone|anybody|tell|describe|explain|talk|walk|show|say|go on|start|take me|let me know|share|give me|point|roughly|since|in your (own )?words|is there|are there)\b/i;
/** Ends that turn a statement into a (leading) question: "..., haven't you?", "..., I bet." */
const CONFIRMATION_END =
  /\b(right|yeah|yes|no|correct|i bet|i am sure|i suppose|i take it|i imagine|i guess|i presume|surely|is not it|is it|are not you|do not you|does not it|did not you|have not you|has not he|has not she|was not it|were not you|is not he|is not she|are you|have you|do you|did you|aren't you)\W*$/i;
const ASSUMPTION_START =
  /^(and |so |but |well |anyway |now )*(i am assuming|i assume|i expect|i imagine|i suppose|i guess|i presume|i know|i take it|presumably|obviously|clearly|i am sure|i bet|i think you|you probably|you are probably|he is probably|she is probably|it is probably|i will assume)\b/i;
/** An assumption put at the end: "He has had Calpol, presumably." */
const ASSUMPTION_END = /\b(presumably|i presume|i assume|i expect|no doubt)\W*$/i;

/** Advice and instructions ("Don't worry...", "Try to sleep more.") are statements unless they end with a question mark. */
const INSTRUCTION_START = /^(and |so |but |well |okay |ok )*(do not|never|please|try|let us|make sure|remember)\b/i;

function classify(text: string, tokens: Token[]): SentenceKind {
  const plain = text.trim();
  if (ASSUMPTION_START.test(plain)) return 'assumption';
  if (ASSUMPTION_END.test(plain) && !plain.endsWith('?')) return 'assumption';
  if (INSTRUCTION_START.test(plain) && !plain.endsWith('?')) return 'statement';
  const commas = (plain.match(/[,;:]/g) ?? []).length;
  const asks = plain.endsWith('?') || ASKING_START.test(plain) || CONFIRMATION_END.test(plain.replace(/[.!]+$/, ''));
  // A recitation: many items strung together with no question in them.
  if (commas >= 5 && !plain.endsWith('?')) return 'list';
  if (asks && tokens.length > 0) return 'question';
  return 'statement';
}

/** A student turn as sentences, each classed and tokenised. */
export function readTurn(content: string): Sentence[] {
  const text = expandContractions(content);
  const sentences: Sentence[] = [];
  nlpOf()
    .readDoc(text)
    .sentences()
    .each((s: ItemSentence) => {
      const sentenceText = s.out();
      const tokens = tokensOf(sentenceText);
      if (tokens.length) sentences.push({ text: sentenceText.trim(), kind: classify(sentenceText, tokens), tokens });
    });
  return sentences;
}

const phraseCache = new Map<string, string[]>();

/** A cue phrase as the lemmas to look for; `<name>` and `<question>` pass through. */
export function cueLemmas(phrase: string): string[] {
  const cached = phraseCache.get(phrase);
  if (cached) return cached;
  const parts = phrase.split(/(<name>|<question>|<closing-statement>)/);
  const lemmas = parts.flatMap((part) =>
    part.startsWith('<') && part.endsWith('>') ? [part] : tokensOf(expandContractions(part)).map((t) => t.lemma),
  );
  phraseCache.set(phrase, lemmas);
  return lemmas;
}

/**
 * A lemma's plain forms: itself, without a plain English ending (-ing, -ed,
 * -es, -s, -y) and with -ies as -y, so the noun and adjective forms the model
 * leaves alone meet ("sweating", "sweaty" and "sweat"; "allergies" and
 * "allergy"); whole words either way, so "weeks" (week) is never "wee".
 */
export function forms(lemma: string): string[] {
  const out = [lemma];
  const plain = /^(.{3,}?)(ing|ed|es|s|y)$/.exec(lemma);
  if (plain) out.push(plain[1]!);
  if (lemma.endsWith('ies') && lemma.length > 4) out.push(`${lemma.slice(0, -3)}y`);
  return out;
}

/** Does this token stand for the cue's word? The same word or lemma, or a plain form in common. */
export function tokenMatches(token: Token, lemma: string): boolean {
  if (lemma === '<name>') return token.capitalised && token.word !== 'i';
  if (token.lemma === lemma || token.word === lemma) return true;
  const cue = forms(lemma);
  return [...forms(token.lemma), ...forms(token.word)].some((f) => cue.includes(f));
}
