/**
 * The LiveKit Agents worker: registers under AGENT_NAME, and for each room the
 * API dispatches it to, plays the case study's patient over STT → LLM → TTS.
 * `tsx src/main.ts dev` / `start` (LiveKit's CLI); see README "Agent worker".
 */
import { fileURLToPath } from 'node:url';
import {
  cli,
  defineAgent,
  type JobContext,
  type JobProcess,
  ServerOptions,
  stt,
  type VAD,
  voice,
} from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import { dispatchMetadataOf } from '@sp/core';
import {
  type CaseStudy,
  connect,
  type DatabaseConfig,
  databaseConfigSchema,
  migrateDatabase,
  openDatabaseOrExit,
} from '@sp/db';
import { createLogger, exitOnConfigError, type Logger, loadConfig, loadConfigs } from '@sp/runtime';
import { RoomServiceClient } from 'livekit-server-sdk';
import OpenAI from 'openai';
import type { PatientAgent } from './agent.js';
import { type AgentConfig, agentConfigSchema, frameworkLogLevel } from './config.js';
import { type PatientJob, startPatientJob } from './patient-job.js';
import { StreamingOpenAITTS } from './streaming-tts.js';
import { LiveKitStudentRoom, type Student } from './student-room.js';
import { reportTtsSampleRate } from './tts-check.js';
import { turnHandling, vadOptions } from './turn-handling.js';
import { type PipelineOptions, pipelineOptions, roomSessionOptions } from './voice-pipeline.js';

/** The two Silero VAD streams' models (turn-handling.ts `vadOptions`), loaded once per process in prewarm. */
export interface Vads {
  turn: VAD;
  transcription: VAD;
}

/** What prewarm leaves in each job process, typed for the entry (the framework's `ProcessUserData`). */
interface ProcessData {
  vads: Vads;
}

/**
 * The transcriber: one plain request per stretch of speech. The plugin's own OpenAI client never
 * retries (maxRetries 0) and the framework's adapter drops a stretch whose request failed, so one
 * 429 or 500 would lose what the student said; this client retries 408/409/429/5xx and broken
 * connections as the OpenAI SDK does, honouring `retry-after`.
 */
export function speechToText(options: PipelineOptions['stt']): openai.STT {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 2, timeout: 10_000 });
  return new openai.STT({ ...options, client });
}

/** The voice pipeline around the patient; every model goes to the same OpenAI-compatible endpoint. */
export function voiceSession(config: AgentConfig, options: PipelineOptions, vads: Vads): voice.AgentSession {
  return new voice.AgentSession({
    // Where the student's speech starts and stops, for the end of the turn and for interruptions.
    vad: vads.turn,
    // The student's speech as text for the model, each stretch sent as soon as its own (shorter)
    // silence is heard: the framework's own adapter around a non-streaming STT, with its own VAD.
    stt: new stt.StreamAdapter(speechToText(options.stt), vads.transcription),
    // The patient's mind: the compiled persona plus the conversation so far. Streamed, it is retried
    // by the framework when it fails before its first chunk (connOptions.maxRetry), never once text
    // has come (the plugin marks that failure not retryable): test/model-retries.test.ts.
    llm: new openai.LLM(options.llm),
    // The patient's voice: the case study's choice, else the configured default; played as it
    // downloads (the plugin's TTS waits for each sentence's whole audio, see streaming-tts.ts).
    tts: new StreamingOpenAITTS(options.tts),
    // When the student's turn ends: VAD endpointing unless the cloud turn detector is opted into.
    turnHandling: turnHandling(config),
  });
}

async function startVoiceSession(
  ctx: JobContext<ProcessData>,
  config: AgentConfig,
  logger: Logger,
  { agent, caseStudy, student }: { agent: PatientAgent; caseStudy: CaseStudy; student: Student },
) {
  const options = pipelineOptions(config, caseStudy.persona.voice);
  if (options.unknownVoice) {
    logger.warn({ voice: options.unknownVoice, used: options.tts.voice }, 'case study voice unknown to the TTS');
  }
  const session = voiceSession(config, options, ctx.proc.userData.vads);
  await session.start({ agent, room: ctx.room, ...roomSessionOptions(config, student.identity) });
  return session;
}

export default defineAgent<ProcessData>({
  prewarm: async (proc: JobProcess<ProcessData>) => {
    // Checked by the worker at start (below); a job process reads the same environment.
    const options = vadOptions(loadConfig(agentConfigSchema));
    const [turn, transcription] = await Promise.all([
      silero.VAD.load(options.turn),
      silero.VAD.load(options.transcription),
    ]);
    proc.userData.vads = { turn, transcription };
  },
  entry: async (ctx: JobContext<ProcessData>) => {
    const config = loadConfig(agentConfigSchema);
    // The dispatch names the session (apps/api http/livekit.ts): the job's logs carry it before the student joins.
    const dispatched = dispatchMetadataOf(ctx.job.metadata);
    const logger = createLogger('agent', config.LOG_LEVEL, {
      job_id: ctx.job.id,
      dispatched_for: dispatched?.session_id ?? null,
    });
    const database = connect(process.env.DATABASE_URL ?? '', { max: 3, applicationName: 'agent' });
    let started: Promise<PatientJob> | undefined;
    // Runs after the framework has closed the agent session (room gone, worker draining, the call
    // leaving): wait for the call's wind-down (turns flushed, clock segment closed), then close the database.
    ctx.addShutdownCallback(async () => {
      const job = await started?.catch(() => undefined);
      if (job?.kind === 'running') await job.call.shutdown('job shutting down');
      await database.close();
    });
    await ctx.connect();
    // The server SDK maps a ws(s):// URL to http(s):// itself.
    const rooms = new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET);
    started = startPatientJob({
      db: database.db,
      room: new LiveKitStudentRoom(ctx, rooms, { pauseOnLostConnection: config.AGENT_PAUSE_ON_LOST_CONNECTION }),
      logger,
      timer: {
        heartbeatMs: config.AGENT_HEARTBEAT_SECONDS * 1000,
        warningBeforeEndMs: config.AGENT_WARNING_BEFORE_END_SECONDS * 1000,
      },
      startSession: (agent, caseStudy, student) =>
        startVoiceSession(ctx, config, logger, { agent, caseStudy, student }),
    });
    // As in LiveKit's starter, the entry returns once the call runs: the call lives on with the job.
    await started;
  },
});

/**
 * Job processes inherit DATABASE_URL. `start` (production) requires it and
 * starts no database of its own; `dev` and the other interactive commands use
 * the embedded server (the one `pnpm dev` runs, else started here) and migrate it.
 */
async function prepareDatabase(command: string | undefined, config: DatabaseConfig): Promise<void> {
  if (command === 'start') {
    if (config.DATABASE_URL) return;
    console.error('configuration error: DATABASE_URL: required by `start` (the worker starts no database of its own)');
    process.exit(1);
  }
  if (command !== 'dev' && command !== 'connect' && command !== 'console') return;
  const database = await openDatabaseOrExit(config, (line) => console.log(`[agent] ${line}`));
  await migrateDatabase(database.url);
  process.env.DATABASE_URL = database.url;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Every setting checked at once: each problem is one line on stderr, and the worker does not start.
  const { agent: config, database } = exitOnConfigError(() =>
    loadConfigs({ agent: agentConfigSchema, database: databaseConfigSchema }),
  );
  await prepareDatabase(process.argv[2], database);
  process.env.LOG_LEVEL = frameworkLogLevel(config.LOG_LEVEL);
  if (process.argv[2] === 'start' || process.argv[2] === 'dev') {
    // Once per worker, in the background: a TTS answering another rate than 24 kHz is said at once.
    void reportTtsSampleRate(config, createLogger('agent', config.LOG_LEVEL));
  }
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: config.AGENT_NAME,
      wsURL: config.LIVEKIT_URL,
      apiKey: config.LIVEKIT_API_KEY,
      apiSecret: config.LIVEKIT_API_SECRET,
      // SIGTERM under `start` waits this long for running calls before shutting them down.
      drainTimeout: config.AGENT_DRAIN_SECONDS * 1000,
    }),
  );
}
