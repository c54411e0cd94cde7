/**
 * The model grader on its own: the real `openai` client against the local
 * OpenAI-wire server, the pauses between attempts recorded instead of slept.
 */
import type { RubricItem } from '@sp/core';
import { type ConfiguredProvider, modelConfig, modelProvider } from '@sp/models';
import { startOpenAIServer } from '@sp/testkit';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  answerProblems,
  type GradingInput,
  gradeWithModel,
  isOneSentence,
  type ModelAnswer,
  type RetryPolicy,
} from '../src/index.js';

const server = await startOpenAIServer();
afterAll(() => server.close());
beforeEach(() => server.reset());

const provider = modelProvider(modelConfig({ OPENAI_BASE_URL: server.baseURL, GRADING_MODEL: 'grader-unit' }));
if (!provider.configured) throw new Error('expected a configured provider');
const configured: ConfiguredProvider = provider;

const rubric: RubricItem[] = [
  { id: 'introduction', title: 'Introduction', criteria: 'Gives name and role', weight: 2, cues: [] },
  { id: 'onset', title: 'Onset', criteria: 'Asks when it started', weight: 1, cues: [] },
];
const input: GradingInput = {
  sessionId: '00000000-0000-4000-8000-000000000001',
  tenantId: '00000000-0000-4000-8000-000000000002',
  caseTitle: 'Chest pain',
  rubric,
  turns: [
    { sequence: 1, role: 'assistant', content: 'Hello doctor.' },
    { sequence: 2, role: 'user', content: "I'm Sam, a medical student. When did it start?" },
  ],
};
const goodAnswer: ModelAnswer = {
  items: [
    { item_id: 'introduction', verdict: 'met', evidence: [2], justification: 'Gave name and role.' },
    { item_id: 'onset', verdict: 'met', evidence: [2], justification: 'Asked when the pain started.' },
  ],
  strengths: ['Clear opening'],
  improvements: ['Ask about radiation'],
  narrative: 'A focused start.',
};

describe('gradeWithModel backoff', () => {
  it('waits longer after each provider 500, within the jittered range, then completes', async () => {
    server.reply(
      { error: { status: 500 } },
      { error: { status: 500 } },
      { error: { status: 500 } },
      { json: goodAnswer },
    );
    const retry: RetryPolicy = { maxAttempts: 5, baseDelayMs: 400, maxDelayMs: 60_000 };
    const delays: number[] = [];
    const attempts: number[] = [];

    const outcome = await gradeWithModel(input, {
      provider: configured,
      retry,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onAttempt: async (n) => {
        attempts.push(n);
      },
    });

    expect(outcome).toMatchObject({ ok: true, result: { score: 100, model: 'grader-unit' } });
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(server.chatRequests()).toHaveLength(4);
    expect(delays).toHaveLength(3);
    // After failed attempt n: between half and all of 400 ms × 2^(n-1).
    const ranges = [
      [200, 400],
      [400, 800],
      [800, 1600],
    ];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(ranges[i]![0]!);
      expect(delay).toBeLessThanOrEqual(ranges[i]![1]!);
    });
    expect(delays[1]).toBeGreaterThanOrEqual(delays[0]!);
    expect(delays[2]).toBeGreaterThanOrEqual(delays[1]!);
  });

  it('never waits after the last attempt, and fails naming the attempts and the error', async () => {
    server.onChat(() => ({ error: { status: 503, message: 'overloaded' } }));
    const delays: number[] = [];

    const outcome = await gradeWithModel(input, {
      provider: configured,
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
      sleep: async (ms) => {
        delays.push(ms);
      },
    });

    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/gave up after 3 attempts: .*503.*overloaded/) });
    expect(delays).toHaveLength(2);
  });

  it('retries a refusal like any rejected answer, telling the model it refused', async () => {
    server.reply({ refusal: 'I cannot assess medical students.' }, { json: goodAnswer });

    const outcome = await gradeWithModel(input, {
      provider: configured,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });

    expect(outcome.ok).toBe(true);
    expect(JSON.stringify(server.chatRequests()[1]?.messages.at(-1))).toMatch(
      /rejected: the model refused: I cannot assess medical students/,
    );
  });
});

describe('answer checks', () => {
  const withItem = (patch: Partial<ModelAnswer['items'][number]>) => ({
    ...goodAnswer,
    items: [{ ...goodAnswer.items[0]!, ...patch }, goodAnswer.items[1]!],
  });

  it('accepts a well-formed answer', () => {
    expect(answerProblems(goodAnswer, rubric, input.turns)).toEqual([]);
  });

  it('rejects empty strengths or improvements, blank strings included', () => {
    expect(answerProblems({ ...goodAnswer, strengths: [] }, rubric, input.turns)).toEqual(['no strengths given']);
    expect(answerProblems({ ...goodAnswer, improvements: ['  '] }, rubric, input.turns)).toEqual([
      'nothing to improve given',
    ]);
  });

  it('rejects a justification of more than one sentence', () => {
    const answer = withItem({ justification: 'Gave name and role. Did not check identity.' });
    expect(answerProblems(answer, rubric, input.turns)).toEqual([
      'item introduction needs a justification of one sentence',
    ]);
  });

  it('tells one sentence from several', () => {
    for (const one of [
      'Gave name and role.',
      'Asked "when did it start?" in turn 2',
      'Asked about onset (e.g. when it started) and radiation.',
      'Scored 2.5 of 3 points, vs. the expected 3!',
      'Asked about pain… and then moved on.',
      'Confirmed identity with Dr. Jones present.',
    ]) {
      expect(isOneSentence(one), one).toBe(true);
    }
    for (const several of [
      'Gave name and role. Did not check identity.',
      'Good opening! Then lost the thread.',
      'Asked about onset? Yes, in turn 2.',
      'Introduced themself. "Hello" was warm.',
      'Asked three questions. 2 were open.',
      '',
      '   ',
      `${'word '.repeat(130)}end.`,
    ]) {
      expect(isOneSentence(several), several).toBe(false);
    }
  });
});
