import { voice } from '@livekit/agents';
import { loadTranscript, seedDemo } from '@sp/db';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { PatientAgent, RESUME_INSTRUCTIONS } from '../src/agent.js';
import { eventually, say, startTestJob, type TestJob } from './support/patient-harness.js';

const test = await createTestDatabase();

async function newSession() {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return {
    caseStudy: cs,
    session: await insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id }),
  };
}

const running: TestJob[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.call.shutdown('test over')));
});

async function start(...args: Parameters<typeof startTestJob>) {
  const job = await startTestJob(...args);
  running.push(job);
  return job;
}

/** A FakeLLM that also keeps what the patient's model was given each time. */
class RecordingLLM extends voice.testing.FakeLLM {
  readonly seen: string[][] = [];
  override chat(args: Parameters<voice.testing.FakeLLM['chat']>[0]) {
    this.seen.push(
      args.chatCtx.items.flatMap((item) =>
        item.type === 'message' && (item.role === 'user' || item.role === 'assistant')
          ? [`${item.role}: ${item.textContent}`]
          : [],
      ),
    );
    return super.chat(args);
  }
}

describe('the patient in conversation', () => {
  it('stores the greeting and three student turns as rows 1..7, each answer after its question', async () => {
    const { session, caseStudy } = await newSession();
    const { call } = await start(test.db, session, {
      responses: [
        { input: 'What brings you in today?', content: "It's my thirst, doctor." },
        { input: 'How long has this been going on?', content: 'About three months.' },
        { input: 'Anything else?', content: "I'm up at night to pee." },
      ],
    });

    const answer = await say(call, 'What brings you in today?');
    answer.expect.nextEvent().isMessage({ role: 'assistant' });
    answer.expect.noMoreEvents();
    await say(call, 'How long has this been going on?');
    await say(call, 'Anything else?');
    await call.recorder.flush();

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.sequence, t.role, t.content])).toEqual([
      [1, 'assistant', caseStudy.persona.openingLine],
      [2, 'user', 'What brings you in today?'],
      [3, 'assistant', "It's my thirst, doctor."],
      [4, 'user', 'How long has this been going on?'],
      [5, 'assistant', 'About three months.'],
      [6, 'user', 'Anything else?'],
      [7, 'assistant', "I'm up at night to pee."],
    ]);
    expect(turns.every((t) => t.channel === 'voice' && t.interrupted === false)).toBe(true);
  });

  it('stores the per-turn latency the framework measured with the answer, in ms', async () => {
    const { session } = await newSession();
    const { call } = await start(test.db, session, {
      responses: [{ input: 'Hello', content: 'Hello doctor.', ttft: 150, duration: 200 }],
    });

    await say(call, 'Hello');
    await call.recorder.flush();

    const answer = (await loadTranscript(test.db, session.id)).at(-1);
    expect(answer?.content).toBe('Hello doctor.');
    expect(answer?.metrics?.llm_ttft_ms).toBeGreaterThanOrEqual(140);
    expect(answer?.metrics?.llm_ttft_ms).toBeLessThan(2_000);
  });

  it('on a resume, continues at the next sequence and gives the patient the earlier turns', async () => {
    const { session, caseStudy } = await newSession();
    const first = await start(test.db, session, {
      responses: [
        { input: 'Do you smoke?', content: 'Ten a day.' },
        { input: 'Any allergies?', content: 'Penicillin.' },
      ],
    });
    await say(first.call, 'Do you smoke?');
    await say(first.call, 'Any allergies?');
    await first.call.shutdown('student dropped');

    const llm = new RecordingLLM([{ input: 'Where were we?', content: 'You asked about allergies.' }]);
    const second = await start(test.db, session, { llm });
    await say(second.call, 'Where were we?');
    await second.call.recorder.flush();

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.sequence, t.role, t.content])).toEqual([
      [1, 'assistant', caseStudy.persona.openingLine],
      [2, 'user', 'Do you smoke?'],
      [3, 'assistant', 'Ten a day.'],
      [4, 'user', 'Any allergies?'],
      [5, 'assistant', 'Penicillin.'],
      [6, 'user', 'Where were we?'],
      [7, 'assistant', 'You asked about allergies.'],
    ]);
    const lastPrompt = llm.seen.at(-1) ?? [];
    expect(lastPrompt).toEqual([
      `assistant: ${caseStudy.persona.openingLine}`,
      'user: Do you smoke?',
      'assistant: Ten a day.',
      'user: Any allergies?',
      'assistant: Penicillin.',
      'user: Where were we?',
    ]);
  });

  it('on a resume, the patient speaks first with a reply to the resume instructions, stored as the next turn', async () => {
    const { session } = await newSession();
    const first = await start(test.db, session, { responses: [{ input: 'Any fever?', content: 'A little.' }] });
    await say(first.call, 'Any fever?');
    await first.call.shutdown('student dropped');

    const second = await start(test.db, session, {
      responses: [
        { input: `instructions:${RESUME_INSTRUCTIONS}`, content: 'Sorry, the line went quiet. You asked about fever?' },
        { input: 'Yes, how high?', content: 'About 38.' },
      ],
    });
    await say(second.call, 'Yes, how high?');
    await second.call.recorder.flush();

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.slice(3).map((t) => [t.sequence, t.role, t.content])).toEqual([
      [4, 'assistant', 'Sorry, the line went quiet. You asked about fever?'],
      [5, 'user', 'Yes, how high?'],
      [6, 'assistant', 'About 38.'],
    ]);
  });

  it('does not greet again on a resume: the opening line is stored once', async () => {
    const { session, caseStudy } = await newSession();
    const first = await start(test.db, session);
    await eventually(async () => expect(await loadTranscript(test.db, session.id)).toHaveLength(1));
    await first.call.shutdown('student dropped');

    const second = await start(test.db, session, { responses: [{ input: 'Hi again', content: 'Hello again.' }] });
    await say(second.call, 'Hi again');
    await second.call.recorder.flush();

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.filter((t) => t.content === caseStudy.persona.openingLine)).toHaveLength(1);
    expect(turns.map((t) => t.sequence)).toEqual([1, 2, 3]);
  });
});

describe("the session's context", () => {
  it("reaches the patient's instructions in the worker, after the case's own", async () => {
    const tenant = await insertTenant(test.db);
    const caseStudy = await insertCaseStudy(test.db, tenant.id, { instructions: 'Be vague about dates.' });
    const context = 'The student is a final-year nursing student.';
    const session = await insertSession(test.db, {
      tenantId: tenant.id,
      userId: 'student',
      contentId: caseStudy.id,
      context,
    });

    const { call } = await start(test.db, session);
    const given = call.session.currentAgent.instructions;
    const instructions = typeof given === 'string' ? given : given.value;

    expect(instructions).toContain(context);
    expect(instructions.indexOf(context)).toBeGreaterThan(instructions.indexOf('Be vague about dates.'));
    expect(new PatientAgent(caseStudy).instructions).not.toContain(context);
  });
});

describe('the patient persona of each seeded case', () => {
  it('greets with its opening line and keeps its when-asked facts out of the greeting', async () => {
    const seeded = await seedDemo(test.db);
    expect(seeded.caseStudies.length).toBeGreaterThanOrEqual(3);
    for (const caseStudy of seeded.caseStudies) {
      const agent = new PatientAgent(caseStudy);
      expect(agent.instructions).toContain(caseStudy.persona.openingLine);

      const session = await insertSession(test.db, {
        tenantId: caseStudy.tenantId,
        userId: `student-${caseStudy.slug}`,
        contentId: caseStudy.id,
      });
      const { call } = await start(test.db, session);
      const greeting = await eventually(async () => {
        const [first] = await loadTranscript(test.db, session.id);
        expect(first).toBeDefined();
        return first;
      });

      expect(greeting).toMatchObject({ sequence: 1, role: 'assistant', content: caseStudy.persona.openingLine });
      for (const fact of caseStudy.facts.filter((f) => f.disclosure === 'when_asked')) {
        expect(greeting?.content).not.toContain(fact.content);
        expect(agent.instructions).toContain(fact.content);
      }
      await call.shutdown('checked');
    }
  });
});
