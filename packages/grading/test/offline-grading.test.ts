import { describe, expect, it } from 'vitest';
import { gradingConfig } from '../src/index.js';
import { expectedHeuristicVerdicts } from './chest-pain-transcript.js';
import { consumerFor, endedSession, gradingTest, terminalReport } from './support.js';

const test = await gradingTest();
// No OPENAI_API_KEY and no OPENAI_BASE_URL: the laptop-without-keys case.
const offline = gradingConfig({ GRADING_POLL_SECONDS: '0.5' });
await consumerFor(test, { config: offline });

describe('grading with no model configured', () => {
  it('completes the report with the heuristic grader, labelled as such, and the expected verdicts', async () => {
    const session = await endedSession(test);

    const report = await terminalReport(test, session.id);

    expect(report).toMatchObject({ status: 'completed', grader: 'heuristic', model: null, attempts: 1, score: 65.2 });
    expect(Object.fromEntries(report.items?.map((i) => [i.item_id, i.verdict]) ?? [])).toEqual(
      expectedHeuristicVerdicts,
    );
    expect(test.server.requests).toHaveLength(0);
  });
});
