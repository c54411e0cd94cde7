/**
 * The LiveKit Agents worker: registers under AGENT_NAME, and for each room the
 * API dispatches it to, plays the case study's patient over STT → LLM → TTS.
 * `tsx src/main.ts dev` / `start` (LiveKit's CLI); see README "Agent worker".
 */
import { fileURLToPath } from 'node:url';
import { cli, defineAgent, type JobContext, type JobProcess, ServerOptions, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import { connect, databaseConfigSchema, openDatabase, parseConfig } from '@sp/db';
import { RoomServiceClient } from 'livekit-server-sdk';
import { pino } from 'pino';
import type { PatientAgent } from './agent.js';
import { type AgentConfig, agentConfigSchema, livekitHttpUrl } from './config.js';
import { type PatientJob, startPatientJob } from './patient-job.js';
import { LiveKitStudentRoom } from './student-room.js';

/** The voice pipeline around the patient; every model goes to the same OpenAI-compatible endpoint. */
async function startVoiceSession(ctx: JobContext, config: AgentConfig, agent: PatientAgent, voiceName?: string) {
  const endpoint = { apiKey: config.OPENAI_API_KEY ?? 'unset', baseURL: config.OPENAI_BASE_URL };
  const session = new voice.AgentSession({
    // Silero VAD, loaded once per process in prewarm: finds where the student's speech starts and stops.
    vad: ctx.proc.userData.vad as silero.VAD,
    // Plain HTTP transcription (not the realtime socket), so any OpenAI-compatible server can serve it.
    stt: new openai.STT({ ...endpoint, model: config.AGENT_STT_MODEL, useRealtime: false }),
    // The patient's mind: the compiled persona plus the conversation so far.
    llm: new openai.LLM({ ...endpoint, model: config.AGENT_LLM_MODEL }),
    // The patient's voice: the case study's choice, else the configured default.
    tts: new openai.TTS({
      ...endpoint,
      model: config.AGENT_TTS_MODEL,
      voice: (voiceName ?? config.AGENT_TTS_VOICE) as openai.TTSVoices,
    }),
  });
  // The student may drop and come back to this room; the timer, not the framework, decides when the call ends.
  await session.start({ agent, room: ctx.room, inputOptions: { closeOnDisconnect: false } });
  return session;
}

export default defineAgent({
  prewarm: async (proc: JobProcess) => {
    proc.userData.vad = await silero.VAD.load();
  },
  entry: async (ctx: JobContext) => {
    const config = parseConfig(agentConfigSchema);
    const logger = pino({ level: config.LOG_LEVEL, base: { service: 'agent', job_id: ctx.job.id } });
    const database = connect(process.env.DATABASE_URL ?? '', { max: 3, applicationName: 'agent' });
    let job: PatientJob | undefined;
    // On a draining worker (SIGTERM) or a closed room: close the running segment, flush the last turns, then disconnect.
    ctx.addShutdownCallback(async () => {
      if (job?.kind === 'running') await job.call.shutdown('worker shutting down');
      await database.close();
    });
    await ctx.connect();
    const rooms = new RoomServiceClient(livekitHttpUrl(config), config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET);
    job = await startPatientJob({
      db: database.db,
      room: new LiveKitStudentRoom(ctx, rooms),
      logger,
      timer: {
        heartbeatMs: config.AGENT_HEARTBEAT_SECONDS * 1000,
        warningBeforeEndMs: config.AGENT_WARNING_BEFORE_END_SECONDS * 1000,
      },
      startSession: (agent, caseStudy) => startVoiceSession(ctx, config, agent, caseStudy.persona.voice),
    });
    if (job.kind === 'running') await job.call.finished;
  },
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = parseConfig(agentConfigSchema);
  // Job processes inherit this: DATABASE_URL, or the embedded server `pnpm dev` runs (started here otherwise).
  const database = await openDatabase(parseConfig(databaseConfigSchema), (line) => console.log(`[agent] ${line}`));
  process.env.DATABASE_URL = database.url;
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: config.AGENT_NAME,
      wsURL: config.LIVEKIT_URL,
      apiKey: config.LIVEKIT_API_KEY,
      apiSecret: config.LIVEKIT_API_SECRET,
    }),
  );
}
