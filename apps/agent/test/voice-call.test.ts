/**
 * The patient on real audio: espeak-ng speech through Silero VAD, LiveKit's
 * OpenAI STT/LLM/TTS plugins against the local OpenAI-wire server, and the
 * real patient job writing to Postgres. See support/voice-harness.ts.
 */
import { loadTranscript, type Session } from '@sp/db';
import { createTestDatabase, insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GOODBYE_LINE, leavingSoonLine } from '../src/agent.js';
import { sleepMs } from './support/audio-io.js';
import { eventually, startTestJob } from './support/patient-harness.js';
import { gradingJobs, sessionRow } from './support/session-rows.js';
import { noiseBurst, silence, soundOnly, spoken } from './support/speech.js';
import { startVoiceDouble, VoiceRig, type VoiceRigOptions } from './support/voice-harness.js';

const test = await createTestDatabase();
const server = await startVoiceDouble();
const rigs: VoiceRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((rig) => rig.close()));
  server.reset();
});
afterAll(() => server.close());

/** The double speaks 25 ms a character: a short line is over in a second or two. */
const MS_PER_CHAR = 25;
const OPENING = 'Hello doctor, thanks for seeing me.';

async function voiceSession(fields: { durationLimit?: number } = {}): Promise<Session> {
  const tenant = await insertTenant(test.db);
  const template = await insertCaseStudy(test.db, tenant.id);
  const cs = await insertCaseStudy(test.db, tenant.id, { persona: { ...template.persona, openingLine: OPENING } });
  return insertSession(test.db, { tenantId: tenant.id, userId: 'student', contentId: cs.id, ...fields });
}

async function startCall(session: Session, options: VoiceRigOptions & { warningBeforeEndMs?: number } = {}) {
  const rig = new VoiceRig(server, { speech: { speechMsPerChar: MS_PER_CHAR }, ...options });
  rigs.push(rig);
  const job = await startTestJob(test.db, session, {
    heartbeatMs: 200,
    warningBeforeEndMs: options.warningBeforeEndMs ?? 0,
    startSession: rig.startSession,
  });
  return { ...job, rig };
}

const QUESTIONS = ['What brings you in today', 'When did the pain start', 'Does anything make it worse'];
const ANSWERS = [
  'My chest has been hurting.',
  'It started this morning after breakfast.',
  'Climbing the stairs makes it much worse.',
];

describe('a call on audio', () => {
  it('speaks the greeting in full before the student says anything, and stores it first', async () => {
    const session = await voiceSession();
    const { call, rig } = await startCall(session);

    // The job is running once the greeting has played out; the student has not spoken.
    expect(rig.mic.played).toEqual([]);
    expect(rig.speaker.heard).toHaveLength(1);
    expect(rig.speaker.heard[0]).toMatchObject({ interrupted: false, playedMs: rig.playableMs(OPENING) });
    expect(server.audio.speeches.map((s) => s.input).join(' ')).toBe(OPENING);
    const [greeting] = await eventually(async () => {
      const turns = await loadTranscript(test.db, session.id);
      expect(turns).toHaveLength(1);
      return turns;
    });
    expect(greeting).toMatchObject({ sequence: 1, role: 'assistant', content: OPENING, interrupted: false });
    await call.shutdown('test over');
  });

  it('turns a three-question interview into one user and one assistant turn each, in order, with metrics', async () => {
    const session = await voiceSession();
    const replies = Object.fromEntries(QUESTIONS.map((q, i) => [q, ANSWERS[i] ?? '']));
    const { call, rig } = await startCall(session, { replies });

    for (const question of QUESTIONS) {
      const asked = await rig.mic.play(spoken(question));
      const answer = await rig.speaker.nextSegment();
      expect(answer.startedAt).toBeGreaterThan(asked.soundEndAt);
      expect(answer.interrupted).toBe(false);
    }
    // The framework commits the last reply once its playout is reported.
    await eventually(async () => expect(await loadTranscript(test.db, session.id)).toHaveLength(7));
    await call.shutdown('test over');

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.sequence, t.role, t.content, t.interrupted])).toEqual([
      [1, 'assistant', OPENING, false],
      [2, 'user', QUESTIONS[0], false],
      [3, 'assistant', ANSWERS[0], false],
      [4, 'user', QUESTIONS[1], false],
      [5, 'assistant', ANSWERS[1], false],
      [6, 'user', QUESTIONS[2], false],
      [7, 'assistant', ANSWERS[2], false],
    ]);
    for (const user of turns.filter((t) => t.role === 'user')) {
      expect(user.metrics).toMatchObject({
        transcription_delay_ms: expect.any(Number),
        end_of_utterance_delay_ms: expect.any(Number),
      });
    }
    for (const reply of turns.filter((t) => t.role === 'assistant').slice(1)) {
      expect(reply.metrics).toMatchObject({
        llm_ttft_ms: expect.any(Number),
        tts_ttfb_ms: expect.any(Number),
        e2e_latency_ms: expect.any(Number),
      });
    }
    // Each answer was heard in full, as long as the double made it.
    expect(rig.speaker.heard.slice(1).map((h) => h.playedMs)).toEqual(ANSWERS.map((a) => rig.playableMs(a)));
    expect(server.audio.transcriptions.map((t) => t.text)).toEqual(QUESTIONS);
  });

  it('stops the patient when the student talks over it, and stores only the part that was heard', async () => {
    const session = await voiceSession();
    const long =
      'Well, it started on a Monday, and by the end of the week I could hardly get out of bed, ' +
      'and then the pain moved into my left arm and my jaw, and I started to feel sick.';
    // At the double's default pace (70 ms a character, about a human's), so that the framework's
    // transcript synchronizer, which paces the text at a human speaking rate, tracks the audio.
    const { call, rig } = await startCall(session, {
      replies: { 'Tell me more about it': long, 'Wait a moment please': 'Of course.' },
      speech: {},
    });

    await rig.mic.play(spoken('Tell me more about it'));
    await rig.speaker.nextStart();
    await sleepMs(1_500);
    const cutIn = rig.mic.play(spoken('Wait a moment please'));
    const cut = await rig.speaker.nextSegment();
    const bargeIn = await cutIn;

    expect(cut.interrupted).toBe(true);
    // From the student's first sound: the VAD hears AGENT_INTERRUPTION_MIN_MS (120) of speech, then the
    // framework clears the audio. bench:voice measures about 220 ms (docs/voice.md); the bound leaves room
    // for a loaded machine and still fails at the framework's default of 500 ms (about 560-600 ms).
    const stopMs = cut.endedAt - bargeIn.soundStartAt;
    expect(stopMs).toBeGreaterThan(120);
    expect(stopMs).toBeLessThan(450);
    expect(cut.playedMs).toBeGreaterThan(1_400);
    expect(cut.playedMs).toBeLessThan(rig.playableMs(long));

    const reply = await rig.speaker.nextSegment();
    expect(reply).toMatchObject({ interrupted: false, playedMs: rig.playableMs('Of course.') });
    await eventually(async () => expect(await loadTranscript(test.db, session.id)).toHaveLength(5));
    await call.shutdown('test over');

    const turns = await loadTranscript(test.db, session.id);
    expect(turns.slice(1).map((t) => [t.role, t.interrupted])).toEqual([
      ['user', false],
      ['assistant', true],
      ['user', false],
      ['assistant', false],
    ]);
    const stored = turns[2]?.content ?? '';
    expect(long.startsWith(stored)).toBe(true);
    // What was stored is about what was heard.
    const heardChars = cut.playedMs / server.audio.options.speechMsPerChar;
    expect(stored.length).toBeGreaterThan(heardChars * 0.5);
    expect(stored.length).toBeLessThan(heardChars * 1.5);
  });

  it('keeps a student who pauses mid-question in one turn: transcribed in two pieces, answered once', async () => {
    const session = await voiceSession();
    const replies = { 'Does it hurt': 'Only a little.', 'Does it hurt when you breathe in': 'Yes, a lot.' };
    const { call, rig } = await startCall(session, { replies });

    // 320 ms of silence between the sounds: long enough for AGENT_STT_VAD_MIN_SILENCE_MS (100; the VAD
    // hears it end ~220 ms after the last sound), so the first piece goes to the transcriber and a reply
    // to it is prepared; too short for the turn's AGENT_VAD_MIN_SILENCE_MS (400; ~500 ms after it).
    const answered = rig.speaker.nextSegment();
    void rig.mic.play(soundOnly(spoken('Does it hurt')));
    void rig.mic.play(silence(320));
    await rig.mic.play(soundOnly(spoken('when you breathe in')));
    const answer = await answered;
    await eventually(async () => expect(await loadTranscript(test.db, session.id)).toHaveLength(3));
    await sleepMs(500);
    await call.shutdown('test over');

    // Each clip's words reach the transcriber once and in order. The transcription VAD may cut a clip
    // again at a stop consonant ("it | hurt": reproduced with its silence at 50 ms, and seen on a
    // busy machine at 100); the double answers a clip's words to its first piece and '' to the rest.
    const pieces = server.audio.transcriptions.map((t) => t.text);
    expect(pieces.filter((text) => text !== '')).toEqual(['Does it hurt', 'when you breathe in']);
    expect(pieces.length).toBeLessThanOrEqual(4);
    // The reply prepared from the first piece was thrown away unheard.
    expect(server.chatRequests().map((r) => r.messages.at(-1)?.content)).toContain('Does it hurt');
    expect(answer).toMatchObject({ interrupted: false, playedMs: rig.playableMs('Yes, a lot.') });
    expect(rig.speaker.heard).toHaveLength(2);
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.map((t) => [t.role, t.content])).toEqual([
      ['assistant', OPENING],
      ['user', 'Does it hurt when you breathe in'],
      ['assistant', 'Yes, a lot.'],
    ]);
  });

  it('ignores a cough-like noise below the VAD threshold: no transcription, no turn, no answer', async () => {
    const session = await voiceSession();
    const { call, rig } = await startCall(session);

    await rig.mic.play(noiseBurst(400, 0.3));
    await sleepMs(1_500);

    expect(server.audio.transcriptions).toEqual([]);
    expect(server.chatRequests()).toEqual([]);
    expect(rig.speaker.heard).toHaveLength(1);
    expect(rig.session?.userState).not.toBe('speaking');
    await call.shutdown('test over');
    expect((await loadTranscript(test.db, session.id)).map((t) => t.role)).toEqual(['assistant']);
  });
});

describe('the clock on audio', () => {
  it('keeps running through a silent warning period, then speaks the goodbye in full before the call ends', async () => {
    const session = await voiceSession({ durationLimit: 6 });
    const { call, rig, fake } = await startCall(session, { warningBeforeEndMs: 3_000 });

    // Silence from the microphone all along; the clock is sampled through the warning period.
    const warned = await rig.speaker.nextSegment();
    const goodbyeStarts = rig.speaker.nextStart();
    expect(warned).toMatchObject({ interrupted: false, playedMs: rig.playableMs(leavingSoonLine(3)) });
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const row = await sessionRow(test.db, session.id);
      expect(row).toMatchObject({ status: 'active', connectedSince: expect.any(Date) });
      samples.push(row.elapsedActiveTime);
      await sleepMs(400);
    }
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
    expect((samples.at(-1) ?? 0) - (samples[0] ?? 0)).toBeGreaterThan(0.5);

    // The student talks over the goodbye: it plays in full all the same.
    await goodbyeStarts;
    const goodbyeHeard = rig.speaker.nextSegment();
    await rig.mic.play(spoken('Wait, one more question'));
    const goodbye = await goodbyeHeard;
    const end = await call.finished;
    const endedAt = performance.now();

    expect(end).toEqual({ kind: 'timer_expired' });
    expect(goodbye).toMatchObject({ interrupted: false, playedMs: rig.playableMs(GOODBYE_LINE) });
    expect(goodbye.endedAt).toBeLessThanOrEqual(endedAt);
    expect(fake.shutdowns).toEqual(['timer_expired']);
    const ended = await sessionRow(test.db, session.id);
    expect(ended).toMatchObject({ status: 'ended', endReason: 'timer_expired' });
    expect(await gradingJobs(test, session.id)).toBe(1);
    const turns = await loadTranscript(test.db, session.id);
    expect(turns.filter((t) => t.role === 'assistant').map((t) => [t.content, t.interrupted])).toEqual([
      [OPENING, false],
      [leavingSoonLine(3), false],
      [GOODBYE_LINE, false],
    ]);
  });
});
