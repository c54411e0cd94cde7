/**
 * `pnpm bench:voice [--] [--turns 30] [--barge-ins 5] [--stt-ms 250] [--llm-ms 350] [--tts-ms 200]
 *   [--vad-silence-ms N] [--stt-silence-ms N] [--min-delay-ms N] [--min-interruption-ms N]
 *   [--preemptive llm|tts|off] [--tts-pace 0] [--quiet]`
 *
 * One voice call on real audio, as the audio tests run it (apps/agent/test/support/voice-harness.ts):
 * espeak-ng speech into the real AgentSession with our patient, Silero VAD, LiveKit's OpenAI
 * STT/LLM/TTS plugins against a local OpenAI-wire server with fixed latencies (in a child process,
 * so the figures below are the job's alone), the transcript written to an embedded PostgreSQL.
 *
 * Per turn, from the end of the student's speech (the last sample above the noise floor going in):
 * - silence wait: → the transcription VAD cuts off the stretch whose text the answer was made from;
 * - endpointing: → the framework commits the student's turn (its end-of-turn decision);
 * - voice-to-voice: → the first sample of the patient's answer plays;
 * - our overhead: voice-to-voice − the silence wait − the three configured provider latencies:
 *   everything on the answer's critical path that is neither waiting for silence nor waiting for a
 *   provider (framework, plugins, our code, this machine), split into its steps: cut → the
 *   transcription request arrives (WAV, upload), transcript sent → chat request, first token sent
 *   → speech request, first audio byte sent → first sample plays, and how late the double's own
 *   timers ran. The turn's commit is not subtracted: the reply is
 *   prepared from the transcript while the turn's end is decided, so subtracting the commit time
 *   would count the transcription twice; the table shows when the commit came, and a commit after
 *   the audio was ready shows up as overhead (→audio).
 * Then barge-ins: the student talks over a long answer; how long the patient's audio goes on
 * after the student's first sound. CPU per active call and the job process's memory, turn by turn.
 * A script, not a test: it prints tables. Every default is what the worker runs.
 */
import { execFileSync, fork } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { latestVersionId, sessions } from '@sp/db';
import { insertCaseStudy } from '@sp/dev-postgres/testing';
import { startPatientJob } from '../apps/agent/src/patient-job.js';
import { LiveKitStudentRoom } from '../apps/agent/src/student-room.js';
import { sleepMs } from '../apps/agent/test/support/audio-io.js';
import { FakeJob } from '../apps/agent/test/support/fake-job.js';
import { spoken } from '../apps/agent/test/support/speech.js';
import { silentLogger } from '../apps/agent/test/support/text-mode.js';
import { VoiceRig } from '../apps/agent/test/support/voice-harness.js';
import { newRoomName } from '../apps/api/src/http/livekit.js';
import { benchDatabase, percentile, scriptArgs } from './support.js';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    turns: { type: 'string', default: '30' },
    'barge-ins': { type: 'string', default: '5' },
    'stt-ms': { type: 'string', default: '250' },
    'llm-ms': { type: 'string', default: '350' },
    'tts-ms': { type: 'string', default: '200' },
    'vad-silence-ms': { type: 'string' },
    'stt-silence-ms': { type: 'string' },
    // What the framework prepares before the turn is committed: the reply (the worker's), the reply and its audio, nothing.
    preemptive: { type: 'string', default: 'llm' },
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
if (values['stt-silence-ms']) workerConfig.AGENT_STT_VAD_MIN_SILENCE_MS = values['stt-silence-ms'];
const PREEMPTIVE = { llm: undefined, tts: { preemptiveTts: true }, off: { enabled: false } };
if (!Object.hasOwn(PREEMPTIVE, values.preemptive)) throw new Error('--preemptive is llm, tts or off');
const preemptive = PREEMPTIVE[values.preemptive as keyof typeof PREEMPTIVE];
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
    .values({
      tenantId: tenant.id,
      userId: 'bench',
      contentId: cs.id,
      caseStudyVersionId: latestVersionId(cs.id),
      roomName: newRoomName(),
      attemptNumber: 1,
    })
    .returning();
  if (!row) throw new Error('no session');

  const rig = new VoiceRig({ baseURL }, { config: workerConfig, ...(preemptive ? { preemptive } : {}) });
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
    speechStart: number;
    speechEnd: number;
    commit: number;
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
      speechStart: epoch(played.soundStartAt),
      speechEnd: epoch(played.soundEndAt),
      commit: commit ? epoch(commit.at) : Number.NaN,
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

  // Each turn's critical path, from the double's own clock (the same epoch clock as ours): the
  // speech request whose audio played first, the chat request that wrote that sentence, and the
  // transcription whose text that chat request answered (the last one before it).
  type Req = (typeof report.requests)[number];
  const lastBefore = (path: string, t: number): Req | undefined =>
    report.requests.filter((r) => r.path === path && r.at < t).at(-1);
  const cuts = rig.cuts.map(epoch);
  const rowsOut = turns.map((t, i) => {
    const tts = lastBefore('/v1/audio/speech', t.firstAudio);
    const llm = tts && lastBefore('/v1/chat/completions', tts.at);
    const stt = llm && lastBefore('/v1/audio/transcriptions', llm.at);
    // Transcriptions for this question: more than one means the VAD cut it at a pause. The double
    // answers a clip's whole text to its first piece, so such a turn's reply comes too early (and
    // its silence wait is negative): a real transcriber would hear the first words only.
    const pieces = report.requests.filter(
      (r) => r.path === '/v1/audio/transcriptions' && r.at > t.speechStart && r.at <= t.firstAudio,
    ).length;
    const answered = (r: Req | undefined) => r?.respondedAt ?? Number.NaN;
    const sent = (r: Req | undefined) => r?.at ?? Number.NaN;
    const v2v = t.firstAudio - t.speechEnd;
    // The VAD's cut that sent the transcription: the wait for silence ends there; the upload is ours.
    const cut = cuts.filter((c) => c <= sent(stt)).at(-1) ?? Number.NaN;
    const silenceWait = cut - t.speechEnd;
    const lateness =
      answered(stt) -
      sent(stt) -
      latency.sttMs +
      (answered(llm) - sent(llm) - latency.llmTtftMs) +
      (answered(tts) - sent(tts) - latency.ttsTtfbMs);
    return {
      turn: i + 1,
      silenceWait,
      endpointing: t.commit - t.speechEnd,
      upload: sent(stt) - cut,
      toLlm: sent(llm) - answered(stt),
      toTts: sent(tts) - answered(llm),
      toAudio: t.firstAudio - answered(tts),
      lateness,
      commitBeforeAudio: t.firstAudio - t.commit,
      pieces,
      v2v,
      overhead: v2v - silenceWait - providersMs,
      frameworkEou: t.frameworkEou ?? Number.NaN,
    };
  });

  const settings = [
    `AGENT_VAD_MIN_SILENCE_MS ${values['vad-silence-ms'] ?? 'default'}`,
    `AGENT_STT_VAD_MIN_SILENCE_MS ${values['stt-silence-ms'] ?? 'default'}`,
    `preemptive ${values.preemptive}`,
    `AGENT_ENDPOINTING_MIN_DELAY_MS ${values['min-delay-ms'] ?? 'default'}`,
    `AGENT_INTERRUPTION_MIN_MS ${values['min-interruption-ms'] ?? 'default'}`,
    `TTS pace ${values['tts-pace'] === '0' ? 'all at once' : `${values['tts-pace']}x real time`}`,
  ].join(', ');
  console.log(
    `\nbench:voice  ${TURNS} turns, ${BARGE_INS} barge-ins; providers STT ${latency.sttMs} + LLM ${latency.llmTtftMs} + TTS ${latency.ttsTtfbMs} = ${providersMs} ms`,
  );
  console.log(`settings: ${settings}\n`);
  if (!values.quiet) {
    console.log(
      '  turn  silence  upload  →llm    →tts    →audio  late  v2v    overhead  endpoint  commit→audio  pieces  (ms; framework EOU delay)',
    );
    for (const r of rowsOut) {
      console.log(
        `  ${String(r.turn).padStart(4)}  ${fmt(r.silenceWait)}  ${fmt(r.upload)}  ${fmt(r.toLlm)}  ${fmt(r.toTts)}  ${fmt(r.toAudio)}  ${fmt(r.lateness)} ${fmt(r.v2v)}  ${fmt(r.overhead)}    ${fmt(r.endpointing)}  ${fmt(r.commitBeforeAudio)}        ${r.pieces}  (${fmt(r.frameworkEou).trim()})`,
      );
    }
  }
  const stat = (name: string, xs: number[], target?: string) => {
    const ok = xs.filter(Number.isFinite);
    console.log(
      `  ${name.padEnd(40)} p50 ${fmt(percentile(ok, 50))}  p95 ${fmt(percentile(ok, 95))}  max ${fmt(Math.max(...ok))}  (n=${ok.length})${target ? `  target ${target}` : ''}`,
    );
  };
  const column = (key: keyof (typeof rowsOut)[number]) => rowsOut.map((r) => Number(r[key]));
  console.log('\nsummary (ms)');
  stat('silence wait (speech end → VAD cuts)', column('silenceWait'));
  stat('endpointing (speech end → turn commit)', column('endpointing'));
  stat('voice-to-voice', column('v2v'), 'p50 < 1100');
  stat('our overhead (v2v − silence − providers)', column('overhead'), 'p95 < 50');
  stat('  of which cut → transcription request', column('upload'));
  stat('  of which transcript → LLM request', column('toLlm'));
  stat('  of which LLM 1st token → TTS request', column('toTts'));
  stat('  of which TTS 1st byte → audio plays', column('toAudio'));
  stat("  of which the double's timers ran late", column('lateness'));
  stat('barge-in: audio stops after', stops, '< 250');
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; load average at the end ${load} (1, 5, 15 min)`,
  );

  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  console.log('\nresources (job process; the fake providers run in their own process)');
  console.log(
    `  CPU per active call: ${((cpuMs(cpuTurns) / wallTurns) * 100).toFixed(1)}% of one core during the turns; ` +
      `${((cpuMs(cpuAll) / wallAll) * 100).toFixed(1)}% over the whole call incl. start-up (${(wallAll / 1000).toFixed(0)} s)`,
  );
  console.log(`  fake providers' process: ${((cpuMs(report.cpu) / wallAll) * 100).toFixed(1)}% of one core`);
  for (const m of memory)
    console.log(`  after turn ${String(m.turn).padStart(3)}: RSS ${mb(m.rss)} MB, heap ${mb(m.heap)} MB`);
  // From turn 1 (warm-up included: code compiled on first use) and from turn 10 (the steady state).
  const last = memory.at(-1);
  for (const first of [memory[0], memory.find((m) => m.turn === 10)]) {
    if (!first || !last || last.turn <= first.turn) continue;
    console.log(
      `  growth turn ${first.turn} → ${last.turn}: heap ${((last.heap - first.heap) / 1024 / (last.turn - first.turn)).toFixed(1)} KB/turn, RSS ${mb(last.rss - first.rss)} MB`,
    );
  }
} finally {
  double.disconnect();
  await pg.stop();
}
process.exit(0);
