import { caseStudyContentSchema } from '@sp/core';
import { seedCaseStudies } from '@sp/db/seed-cases';
import { describe, expect, it } from 'vitest';
import { compilePersona, factScore, type PatientCase, scriptedReply, textPatientMessages } from '../src/index.js';

/** The three seeded cases, parsed as the database stores them. */
const cases = Object.fromEntries(
  seedCaseStudies.map((raw) => {
    const parsed = caseStudyContentSchema.parse(raw);
    return [parsed.slug, { persona: parsed.persona, facts: parsed.facts, instructions: parsed.instructions }];
  }),
) as Record<string, PatientCase>;

const fact = (patient: PatientCase, id: string) => patient.facts.find((f) => f.id === id)?.content;

describe('the scripted (offline) patient', () => {
  const common: [question: string, factId: string][] = [
    ['Hello, what brings you in today?', 'presenting_complaint'],
    ['Are you taking any medications at the moment?', 'medications'],
    ['Do you have any allergies?', 'allergies'],
    ['Does anything run in the family?', 'family_history'],
  ];

  for (const slug of ['fatigue-polyuria', 'acute-chest-pain', 'child-fever']) {
    it(`answers common history questions from the facts of ${slug}`, () => {
      const patient = cases[slug];
      expect(patient).toBeDefined();
      if (!patient) return;
      for (const [question, factId] of common) {
        expect(scriptedReply(patient, question, []), question).toEqual({ text: fact(patient, factId), factId });
      }
    });
  }

  it('answers the social history of each case from its own facts', () => {
    const maria = cases['fatigue-polyuria'] as PatientCase;
    const chest = cases['acute-chest-pain'] as PatientCase;
    expect(scriptedReply(maria, 'Do you smoke?', []).factId).toBe('smoking_and_drugs');
    expect(scriptedReply(maria, 'How much alcohol do you drink in a week?', []).factId).toBe('alcohol');
    expect(scriptedReply(chest, 'Do you smoke cigarettes?', []).factId).toBe('smoking');
    expect(scriptedReply(chest, 'Any chest pain like this before?', []).factId).not.toBeNull();
  });

  it('greets with the opening line before it has spoken, and says in character that it does not know otherwise', () => {
    const maria = cases['fatigue-polyuria'] as PatientCase;
    expect(scriptedReply(maria, 'Good morning, my name is Sam', [])).toEqual({
      text: maria.persona.openingLine,
      factId: null,
    });
    const unknown = scriptedReply(maria, 'What is the capital of Peru?', [{ role: 'assistant', content: 'Hello' }]);
    expect(unknown.factId).toBeNull();
    expect(unknown.text).not.toBe(maria.persona.openingLine);
    // The same question gets the same answer.
    expect(scriptedReply(maria, 'What is the capital of Peru?', []).text).toBe(unknown.text);
  });

  it('matches whole words, so "early" does not reach a fact about the ear', () => {
    const leo = cases['child-fever'] as PatientCase;
    const earFact = leo.facts.find((f) => f.id === 'ear_pain');
    expect(earFact).toBeDefined();
    if (!earFact) return;
    expect(factScore(earFact, 'Did it start early in the morning?')).toBe(0);
    expect(factScore(earFact, 'Has he been pulling at his ears?')).toBeGreaterThan(0);
  });

  it('prefers a fact it has not told yet when two match equally', () => {
    const patient: PatientCase = {
      persona: { name: 'A', age: 40, sex: 'female', personality: 'Calm.', openingLine: 'Hi.' },
      instructions: '',
      facts: [
        { id: 'first', topic: 'One', content: 'First answer.', keywords: ['sleep'], disclosure: 'when_asked' },
        { id: 'second', topic: 'Two', content: 'Second answer.', keywords: ['sleep'], disclosure: 'when_asked' },
      ],
    };
    expect(scriptedReply(patient, 'How do you sleep?', []).factId).toBe('first');
    expect(scriptedReply(patient, 'How do you sleep?', [{ role: 'assistant', content: 'First answer.' }]).factId).toBe(
      'second',
    );
  });
});

describe('textPatientMessages', () => {
  const maria = cases['fatigue-polyuria'] as PatientCase;

  it('plays the compiled persona, told the consultation is typed, with the transcript so far', () => {
    const history = [
      { role: 'assistant' as const, content: 'Hello doctor.' },
      { role: 'user' as const, content: 'What brings you in?' },
      { role: 'assistant' as const, content: "I'm so tired." },
    ];
    const messages = textPatientMessages(maria, history, 'How long for?');
    expect(messages[0]?.role).toBe('system');
    expect(messages[0]?.content.startsWith(compilePersona(maria))).toBe(true);
    expect(messages[0]?.content).toContain('typing to you');
    expect(messages[0]?.content).not.toContain('You have not said anything yet');
    expect(messages.slice(1)).toEqual([...history, { role: 'user', content: 'How long for?' }]);
  });

  it('asks for the opening words on the first reply, and for the leaving-soon mention when told', () => {
    const first = textPatientMessages(maria, [], 'Hello', { leavingSoon: true });
    expect(first[0]?.content).toContain('You have not said anything yet');
    expect(first[0]?.content).toContain('leave soon');
  });
});
