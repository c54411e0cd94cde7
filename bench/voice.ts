/**
 * `pnpm bench:voice [--turns 30] [--barge-ins 5] [--stt-ms 250] [--llm-ms 350] [--tts-ms 200]
 *   [--vad-silence-ms N] [--min-delay-ms N] [--min-interruption-ms N] [--tts-pace 0]`
 *
 * One voice call on real audio, as the audio tests run it (apps/agent/test/support/voice-harness.ts):
 * espeak-ng speech into the real AgentSession with our patient, Silero VAD, LiveKit's OpenAI
 * STT/LLM/TTS plugins against a local OpenAI-wire server with fixed latencies (in a child process,
 * so the figures below are the job's alone), the transcript written to an embedded PostgreSQL.
 *
 * Per turn, from the end of the student's speech (the last sample above the noise floor going in):
 * - endpointing: → the framework commits the student's turn (its end-of-turn decision);
 * - voice-to-voice: → the first sample of the patient's answer plays;
 * - our overhead: voice-to-voice − the VAD's silence wait (end of speech → the transcription
 *   request) − the three configured provider latencies: everything that is neither waiting for
 *   silence nor waiting for a provider (framework, plugins, our code, this machine).
 * Then barge-ins: the student talks over a long answer; how long the patient's audio goes on
 * after the student's first sound. CPU per active call and the job process's memory, turn by turn.
 * A script, not a test: it prints tables. Every default is what the worker runs.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { newRoomName } from '@sp/core';
import { sessions } from '@sp/db';
import { insertCaseStudy } from '@sp/db/testing';
import { startPatientJob } from '../apps/agent/src/patient-job.js';
import { LiveKitStudentRoom } from '../apps/agent/src/student-room.js';
import { sleepMs } from '../apps/agent/test/support/audio-io.js';
import { FakeJob } from '../apps/agent/test/support/fake-job.js';
import { spoken } from '../apps/agent/test/support/speech.js';
import { silentLogger } from '../apps/agent/test/support/text-mode.js';
import { VoiceRig } from '../apps/agent/test/support/voice-harness.js';
import { benchDatabase, percentile } from './support.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '30' },
    'barge-ins': { type: 'string', default: '5' },
    'stt-ms': { type: 'string', default: '250' },
    'llm-ms': { type: 'string', default: '350' },
    'tts-ms': { type: 'string', default: '200' },
    'vad-silence-ms': { type: 'string' },
    'min-delay-ms': { type: 'string' },
    'min-interruption-ms': { type: 'string' },
    // How fast the fake TTS streams its audio after the first byte, as a multiple of real time (0: all at once).
    'tts-pace': { type: 'string', default: '0' },
    quiet: { type: 'boolean', default: false },
  },
});
const TURNS = Number(values.turns);
const BARGE_INS = Number(values['barge-ins']);
const latency = {
  sttMs: Number(values['stt-ms']),
  llmTtftMs: Number(values['llm-ms']),
  ttsTtfbMs: Number(values['tts-ms']),
};
const providersMs = latency.sttMs + latency.llmTtftMs + latency.ttsTtfbMs;
/** The double's speaking pace: the answers' length does not enter any figure, so they are kept quick. */
const MS_PER_CHAR = 40;

/** The worker's settings under test: its defaults unless a flag sets one. */
const workerConfig: Record<string, string> = {};
if (values['vad-silence-ms']) workerConfig.AGENT_VAD_MIN_SILENCE_MS = values['vad-silence-ms'];
if (values['min-delay-ms']) workerConfig.AGENT_ENDPOINTING_MIN_DELAY_MS = values['min-delay-ms'];
if (values['min-interruption-ms']) workerConfig.AGENT_INTERRUPTION_MIN_MS = values['min-interruption-ms'];

const epoch = (perfMs: number) => performance.timeOrigin + perfMs;
const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0).padStart(6) : '     -');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const QUESTIONS = [
  'What brings you in today',
  'When did the pain start',
  'Does anything make it worse',
  'Have you had this before',
  'Do you take any medicines',
  'Does anyone in your family have heart trouble',
];
const ANSWERS = [
  'My chest has been hurting since this morning.',
  'Right after breakfast, around eight.',
  'Climbing the stairs makes it much worse.',
  'Never like this, no.',
  'Only something for my blood pressure.',
  'My father had a heart attack at sixty.',
];
const LONG_QUESTION = 'Tell me everything about it';
const LONG_ANSWER =
  'Well, it started on a Monday, and by the end of the week I could hardly get out of bed, and then the pain ' +
  'moved into my left arm and my jaw, and I started to feel sick, and my husband said I had to come in.';
const CUT_IN = 'Sorry to stop you there';

// The fake providers, in their own process.
const double = fork(new URL('./voice-double.ts', import.meta.url), {
  execArgv: ['--import', 'tsx'],
  env: {
    ...process.env,
    VOICE_DOUBLE: JSON.stringify({
      ...latency,
      speechMsPerChar: MS_PER_CHAR,
      speechRealtimeFactor: Number(values['tts-pace']),
    }),
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const ask = <T>(message: object): Promise<T> =>
  new Promise((resolve) => {
    double.once('message', (m) => resolve(m as T));
    double.send(message);
  });
const { baseURL } = await new Promise<{ baseURL: string }>((resolve) =>
  double.once('message', (m) => resolve(m as never)),
);
const replies = Object.fromEntries([
  ...QUESTIONS.map((q, i) => [q, ANSWERS[i] ?? '']),
  [LONG_QUESTION, LONG_ANSWER],
  [CUT_IN, 'Of course, go ahead.'],
]);
double.send({ replies });

const pg = await benchDatabase('voice');
try {
  const { handle, tenant, caseStudies } = pg;
  const template = caseStudies[0];
  if (!template) throw new Error('no seeded case study');
  const cs = await insertCaseStudy(handle.db, tenant.id, {
    persona: { ...template.persona, openingLine: 'Hello doctor, thank you for seeing me.' },
  });
  const [row] = await handle.db
    .insert(sessions)
    .values({ tenantId: tenant.id, userId: 'bench', contentId: cs.id, roomName: newRoomName(), attemptNumber: 1 })
    .returning();
  if (!row) throw new Error('no session');

  const rig = new VoiceRig({ baseURL }, { config: workerConfig });
  const fake = new FakeJob(row.roomName, {
    identity: `user-${row.userId}`,
    attributes: { tenant_id: row.tenantId, user_id: row.userId, session_id: row.id, case_study_id: row.contentId },
  });
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const job = await startPatientJob({
    db: handle.db,
    room: new LiveKitStudentRoom(fake, { deleteRoom: async () => {} }),
    logger: silentLogger,
    timer: { heartbeatMs: 5_000, warningBeforeEndMs: 0 },
    startSession: rig.startSession,
  });
  if (job.kind !== 'running') throw new Error(`bench job refused: ${job.reason}`);

  interface Turn {
    speechEnd: number;
    commit: number;
    sttRequest: number;
    llmRequest: number;
    ttsRequest: number;
    firstAudio: number;
    frameworkEou?: number;
  }
  const turns: Turn[] = [];
  const memory: { turn: number; rss: number; heap: number }[] = [];
  const clips = QUESTIONS.map((q) => spoken(q));
  const cutIn = spoken(CUT_IN);
  const longQuestion = spoken(LONG_QUESTION);
  // The greeting's 3 s of echo-cancellation warm-up (no interruptions) is over by the first barge-in.
  await sleepMs(500);
  gc();
  const cpuConversation = process.cpuUsage();
  const wallConversation = performance.now();

  for (let t = 0; t < TURNS; t++) {
    const clip = clips[t % clips.length];
    if (!clip) break;
    double.send({ utterance: clip.text });
    const answered = rig.speaker.nextSegment();
    const played = await rig.mic.play(clip);
    const answer = await answered;
    const commit = rig.commits.at(-1);
    turns.push({
      speechEnd: epoch(played.soundEndAt),
      commit: commit ? epoch(commit.at) : Number.NaN,
      sttRequest: Number.NaN,
      llmRequest: Number.NaN,
      ttsRequest: Number.NaN,
      firstAudio: epoch(answer.startedAt),
      frameworkEou: commit?.endOfTurnDelayMs,
    });
    await sleepMs(300);
    if (t === 0 || t === TURNS - 1 || (t + 1) % 10 === 0) {
      gc();
      const m = process.memoryUsage();
      memory.push({ turn: t + 1, rss: m.rss, heap: m.heapUsed });
    }
  }
  const cpuTurns = process.cpuUsage(cpuConversation);
  const wallTurns = performance.now() - wallConversation;

  // Barge-ins: the student cuts into a long answer 1.2 s after it starts.
  const stops: number[] = [];
  for (let b = 0; b < BARGE_INS; b++) {
    double.send({ utterance: LONG_QUESTION });
    const started = rig.speaker.nextStart();
    await rig.mic.play(longQuestion);
    await started;
    const cut = rig.speaker.nextSegment();
    await sleepMs(1_200);
    double.send({ utterance: CUT_IN });
    const bargeIn = await rig.mic.play(cutIn);
    const heard = await cut;
    stops.push(heard.interrupted ? heard.endedAt - bargeIn.soundStartAt : Number.NaN);
    await rig.speaker.nextSegment(); // the answer to the cut-in
    await sleepMs(300);
  }

  const report = await ask<{ requests: { path: string; at: number; respondedAt?: number }[]; cpu: NodeJS.CpuUsage }>({
    report: true,
  });
  const cpuAll = process.cpuUsage(cpuStart);
  const wallAll = performance.now() - wallStart;
  await job.call.shutdown('bench over');
  await rig.close();

  const firstAfter = (path: string, after: number) =>
    report.requests.find((r) => r.path === path && r.at > after - 1)?.at ?? Number.NaN;
  for (const turn of turns) {
    turn.sttRequest = firstAfter('/v1/audio/transcriptions', turn.speechEnd);
    turn.llmRequest = firstAfter('/v1/chat/completions', turn.speechEnd);
    turn.ttsRequest = firstAfter('/v1/audio/speech', turn.speechEnd);
  }

  const rowsOut = turns.map((t, i) => {
    const endpointing = t.commit - t.speechEnd;
    const v2v = t.firstAudio - t.speechEnd;
    const vadWait = t.sttRequest - t.speechEnd;
    return {
      turn: i + 1,
      vadWait,
      endpointing,
      llmAfterCommit: t.llmRequest - t.commit,
      ttsAfterLlm: t.ttsRequest - t.llmRequest - latency.llmTtftMs,
      audioAfterTts: t.firstAudio - t.ttsRequest - latency.ttsTtfbMs,
      v2v,
      overhead: v2v - vadWait - providersMs,
      frameworkEou: t.frameworkEou ?? Number.NaN,
    };
  });

  const settings = [
    `AGENT_VAD_MIN_SILENCE_MS ${values['vad-silence-ms'] ?? 'default'}`,
    `AGENT_ENDPOINTING_MIN_DELAY_MS ${values['min-delay-ms'] ?? 'default'}`,
    `AGENT_INTERRUPTION_MIN_MS ${values['min-interruption-ms'] ?? 'default'}`,
    `TTS pace ${values['tts-pace'] === '0' ? 'all at once' : `${values['tts-pace']}x real time`}`,
  ].join(', ');
  console.log(
    `\nbench:voice  ${TURNS} turns, ${BARGE_INS} barge-ins; providers STT ${latency.sttMs} + LLM ${latency.llmTtftMs} + TTS ${latency.ttsTtfbMs} = ${providersMs} ms`,
  );
  console.log(`settings: ${settings}\n`);
  if (!values.quiet) {
    console.log('  turn  vad-wait endpoint  →llm-req →tts-req  →audio    v2v  overhead  (ms; framework EOU delay)');
    for (const r of rowsOut) {
      console.log(
        `  ${String(r.turn).padStart(4)}  ${fmt(r.vadWait)}   ${fmt(r.endpointing)}   ${fmt(r.llmAfterCommit)}   ${fmt(r.ttsAfterLlm)}  ${fmt(r.audioAfterTts)}  ${fmt(r.v2v)}   ${fmt(r.overhead)}   (${fmt(r.frameworkEou).trim()})`,
      );
    }
  }
  const stat = (name: string, xs: number[], target?: string) => {
    const ok = xs.filter(Number.isFinite);
    console.log(
      `  ${name.padEnd(34)} p50 ${fmt(percentile(ok, 50))}  p95 ${fmt(percentile(ok, 95))}  max ${fmt(Math.max(...ok))}  (n=${ok.length})${target ? `  target ${target}` : ''}`,
    );
  };
  console.log('\nsummary (ms)');
  stat(
    'VAD silence wait',
    rowsOut.map((r) => r.vadWait),
  );
  stat(
    'endpointing (speech end → commit)',
    rowsOut.map((r) => r.endpointing),
  );
  stat(
    'voice-to-voice',
    rowsOut.map((r) => r.v2v),
    'p50 < 1100',
  );
  stat(
    'our overhead',
    rowsOut.map((r) => r.overhead),
    'p95 < 50',
  );
  stat(
    '  of which commit → LLM request',
    rowsOut.map((r) => r.llmAfterCommit),
  );
  stat(
    '  of which LLM 1st token → TTS req',
    rowsOut.map((r) => r.ttsAfterLlm),
  );
  stat(
    '  of which TTS 1st byte → audio',
    rowsOut.map((r) => r.audioAfterTts),
  );
  stat('barge-in: audio stops after', stops, '< 250');

  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  console.log('\nresources (job process; the fake providers run in their own process)');
  console.log(
    `  CPU per active call: ${((cpuMs(cpuTurns) / wallTurns) * 100).toFixed(1)}% of one core during the turns; ` +
      `${((cpuMs(cpuAll) / wallAll) * 100).toFixed(1)}% over the whole call incl. start-up (${(wallAll / 1000).toFixed(0)} s)`,
  );
  console.log(`  fake providers' process: ${((cpuMs(report.cpu) / wallAll) * 100).toFixed(1)}% of one core`);
  for (const m of memory)
    console.log(`  after turn ${String(m.turn).padStart(3)}: RSS ${mb(m.rss)} MB, heap ${mb(m.heap)} MB`);
  const first = memory[0];
  const last = memory.at(-1);
  if (first && last && last.turn > first.turn) {
    console.log(
      `  growth turn ${first.turn} → ${last.turn}: heap ${((last.heap - first.heap) / 1024 / (last.turn - first.turn)).toFixed(1)} KB/turn, RSS ${mb(last.rss - first.rss)} MB`,
    );
  }
} finally {
  double.disconnect();
  await pg.stop();
}
process.exit(0);
