import { seedDemo } from '@sp/db';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import {
  cuesForMet,
  type GradingInput,
  gradeHeuristically,
  retryDelayMs,
  scoreOf,
  studentTurns,
} from '../src/index.js';
import { chestPainTranscript, expectedHeuristicVerdicts } from './chest-pain-transcript.js';

// The seeded cases, as `pnpm db:seed` writes them.
const test = await createTestDatabase({ max: 2 });
const { caseStudies: seededCases } = await seedDemo(test.db);
const chestPain = seededCases.find((c) => c.slug === 'acute-chest-pain')!;
const input: GradingInput = {
  sessionId: '00000000-0000-4000-8000-000000000001',
  tenantId: '00000000-0000-4000-8000-000000000002',
  caseTitle: chestPain.title,
  rubric: chestPain.rubric,
  turns: chestPainTranscript,
};

describe('heuristic grader', () => {
  it('gives the expected verdict for every rubric item on a seeded chest-pain transcript', () => {
    const report = gradeHeuristically(input);

    const verdicts = Object.fromEntries(report.items.map((i) => [i.item_id, i.verdict]));
    expect(verdicts).toEqual(expectedHeuristicVerdicts);
    expect(report.grader).toBe('heuristic');
    expect(report.model).toBeNull();
  });

  it('scores the verdicts by weight: 55 of 102 weight points is 53.9', () => {
    expect(gradeHeuristically(input).score).toBe(53.9);
  });

  it('cites only student turns as evidence, and the turns that carry the cues', () => {
    const report = gradeHeuristically(input);
    const students = new Set(studentTurns(chestPainTranscript).map((t) => t.sequence));

    for (const item of report.items) {
      expect(item.evidence.every((s) => students.has(s))).toBe(true);
      expect(item.evidence.length > 0).toBe(item.verdict !== 'not_met');
      expect(item.justification.length).toBeGreaterThan(10);
    }
    expect(report.items.find((i) => i.item_id === 'introduction')?.evidence).toEqual([2]);
    expect(report.items.find((i) => i.item_id === 'ice')?.evidence).toEqual([16]);
  });

  it("never counts the patient's words: the patient mentions previous episodes, the student never asks", () => {
    const report = gradeHeuristically(input);
    expect(report.items.find((i) => i.item_id === 'previous_episodes')).toMatchObject({
      verdict: 'not_met',
      evidence: [],
    });
  });

  it('names the heaviest missed items as improvements and says it is a heuristic grade', () => {
    const report = gradeHeuristically(input);
    expect(report.improvements[0]).toBe('Previous episodes and exertional symptoms');
    expect(report.strengths[0]).toBe('Onset, circumstances and duration of the pain');
    expect(report.narrative).toMatch(/heuristic/i);
  });

  it('is deterministic', () => {
    expect(gradeHeuristically(input)).toEqual(gradeHeuristically(input));
  });

  it('reads an item without elements from its cues: case-insensitive, curly apostrophes, whole words, questions only', () => {
    const rubric = [{ id: 'x', title: 'X', criteria: 'x', weight: 1, cues: ["i'm sorry", 'sweat', 'back'] }];
    const turns = [{ sequence: 1, role: 'user' as const, content: 'I\u2019M SORRY, any SWEATING? Feedback please.' }];
    const [item] = gradeHeuristically({ ...input, rubric, turns }).items;
    expect(item?.justification).toMatch(/"i'm sorry" and "sweat"/);
    expect(item?.justification).toMatch(/missing: "back"/);
  });
});

describe('scoring', () => {
  const rubric = [
    { id: 'a', weight: 3 },
    { id: 'b', weight: 1 },
  ];

  it('counts met fully, partially met half and not met nothing, by weight', () => {
    expect(
      scoreOf(rubric, [
        { item_id: 'a', verdict: 'partially_met' },
        { item_id: 'b', verdict: 'met' },
      ]),
    ).toBe(62.5);
    expect(scoreOf(rubric, [{ item_id: 'a', verdict: 'met' }])).toBe(75);
    expect(scoreOf(rubric, [])).toBe(0);
  });

  it('rounds to one decimal', () => {
    expect(
      scoreOf(
        [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 2 },
        ],
        [{ item_id: 'a', verdict: 'met' }],
      ),
    ).toBe(33.3);
  });

  it('needs a third of an item’s cues for met, between one and three', () => {
    expect([1, 2, 3, 4, 6, 7, 10, 40].map(cuesForMet)).toEqual([1, 1, 1, 2, 2, 3, 3, 3]);
  });
});

describe('retry delays', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000 };

  it('doubles per attempt with jitter between half and the full backoff', () => {
    expect(retryDelayMs(policy, 1, 0, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, 0, () => 1)).toBe(1000);
    expect(retryDelayMs(policy, 3, 0, () => 1)).toBe(4000);
  });

  it('never waits longer than the cap on its own', () => {
    expect(retryDelayMs(policy, 10, 0, () => 1)).toBe(10_000);
  });

  it('waits at least as long as the provider asks, past the cap, up to a minute', () => {
    expect(retryDelayMs(policy, 1, 3000, () => 0)).toBe(3000);
    expect(retryDelayMs(policy, 1, 25_000, () => 0)).toBe(25_000);
    expect(retryDelayMs(policy, 1, 3_600_000, () => 0)).toBe(60_000);
  });
});
