import { llm, voice } from '@livekit/agents';
import { connect, loadTranscript } from '@sp/db';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { TranscriptRecorder, turnMetrics } from '../src/transcript-recorder.js';
import { capturingLogger, say, silentLogger, sleep, startTestJob } from './support/patient-harness.js';
import { startPgProxy } from './support/pg-proxy.js';

const test = await createTestDatabase();
const proxy = await startPgProxy(test.url);
const flaky = connect(proxy.url, { max: 2, applicationName: 'flaky-worker' });
afterAll(async () => {
  await flaky.close();
  await proxy.close();
});

async function newSession() {
  const tenant = await insertTenant(test.db);
  const cs = await insertCaseStudy(test.db, tenant.id);
  return insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id });
}

describe('the transcript recorder', () => {
  it('keeps turns while the database is unavailable and stores them in order once it is back', async () => {
    const session = await newSession();
    const recorder = new TranscriptRecorder(flaky.db, session.id, silentLogger, { retryMs: 20, maxRetryMs: 100 });
    recorder.record({ role: 'assistant', content: 'Hello doctor.', channel: 'voice' });
    await recorder.flush();

    proxy.cut();
    recorder.record({ role: 'user', content: 'How are you?', channel: 'voice' });
    recorder.record({ role: 'assistant', content: 'Not great.', channel: 'voice' });
    await sleep(500);
    expect(recorder.pending).toBe(2);
    expect(await loadTranscript(test.db, session.id)).toHaveLength(1);
    proxy.restore();

    expect(await recorder.flush(5_000)).toBe(0);
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.sequence, t.content])).toEqual([
      [1, 'Hello doctor.'],
      [2, 'How are you?'],
      [3, 'Not great.'],
    ]);
  });

  it('reports the turns it could not store when a flush runs out of time', async () => {
    const session = await newSession();
    const recorder = new TranscriptRecorder(flaky.db, session.id, silentLogger, { retryMs: 20, maxRetryMs: 50 });
    proxy.cut();
    try {
      recorder.record({ role: 'user', content: 'Anyone there?', channel: 'voice' });
      expect(await recorder.flush(300)).toBe(1);
    } finally {
      proxy.restore();
    }
    expect(await recorder.flush(5_000)).toBe(0);
    expect((await loadTranscript(test.db, session.id)).map((t) => t.content)).toEqual(['Anyone there?']);
  });

  it('keeps the patient talking through a database blip during a call', async () => {
    const session = await newSession();
    const { call } = await startTestJob(flaky.db, session, {
      heartbeatMs: 100,
      responses: [
        { input: 'Does it hurt?', content: 'Only when I move.' },
        { input: 'Where exactly?', content: 'Low on the right.' },
      ],
    });

    proxy.cut();
    const first = await say(call, 'Does it hurt?');
    await sleep(300);
    proxy.restore();
    await say(call, 'Where exactly?');
    await call.recorder.flush(5_000);

    first.expect.containsMessage({ role: 'assistant' });
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => t.content).slice(1)).toEqual([
      'Does it hurt?',
      'Only when I move.',
      'Where exactly?',
      'Low on the right.',
    ]);
    await call.shutdown('test over');
  });
});

describe('the transcript recorder in a call', () => {
  it('stores a reply the student cut off as interrupted, stamped when the framework created it', async () => {
    const session = await newSession();
    const answer = 'Well, it started on a Monday, and by Friday I could not get out of bed.';
    const { call } = await startTestJob(test.db, session, {
      responses: [{ input: 'Tell me more', content: answer, ttft: 50, duration: 3_000 }],
    });
    const committed: llm.ChatMessage[] = [];
    call.session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (item instanceof llm.ChatMessage) committed.push(item);
    });

    const turn = call.session.run({ userInput: 'Tell me more' });
    await sleep(500);
    call.session.interrupt();
    await turn.wait().catch(() => {});
    await call.recorder.flush();

    const [greeting, question, reply] = await loadTranscript(test.db, session.id);
    expect(greeting?.interrupted).toBe(false);
    expect(question).toMatchObject({ role: 'user', content: 'Tell me more', interrupted: false });
    expect(reply).toMatchObject({ role: 'assistant', interrupted: true });
    expect(answer.startsWith(reply?.content ?? '-')).toBe(true);
    const replyItem = committed.find((item) => item.role === 'assistant');
    expect(reply?.timestamp.getTime()).toBe(replyItem?.createdAt);
    expect(question?.timestamp.getTime()).toBe(committed.find((item) => item.role === 'user')?.createdAt);
    await call.shutdown('test over');
  });

  it('logs a turn committed after it stopped, in full, at error level', async () => {
    const session = await newSession();
    const { logger, lines } = capturingLogger();
    const recorder = new TranscriptRecorder(test.db, session.id, logger);
    recorder.stop();

    recorder.record({ role: 'user', content: 'One last thing, doctor.', channel: 'voice', interrupted: false });
    await recorder.flush(100);

    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        session_id: session.id,
        turn: { role: 'user', content: 'One last thing, doctor.', channel: 'voice', interrupted: false },
      }),
    );
    expect(await loadTranscript(test.db, session.id)).toEqual([]);
  });
});

describe('turnMetrics', () => {
  it("turns the framework's per-turn seconds into ms and leaves out what was not measured", () => {
    const message = new llm.ChatMessage({
      role: 'assistant',
      content: 'Hi',
      metrics: { llmNodeTtft: 0.2345, ttsNodeTtfb: 0.1, endOfTurnDelay: 0.5 },
    });
    expect(turnMetrics(message.metrics)).toEqual({
      llm_ttft_ms: 234.5,
      tts_ttfb_ms: 100,
      end_of_utterance_delay_ms: 500,
    });
    expect(turnMetrics({})).toBeUndefined();
  });
});
