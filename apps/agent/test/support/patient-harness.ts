/**
 * Runs the real patient job against real Postgres with a text-mode agent
 * session (no LiveKit server, FakeLLM for the model), the LiveKit room glue
 * over a stand-in job context, and room deletion through the real
 * RoomServiceClient to a Twirp fake of LiveKit.
 */
import type { voice } from '@livekit/agents';
import type { Database, Session } from '@sp/db';
import { type FakeLiveKit, startFakeLiveKit } from '@sp/testkit';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { Logger } from 'pino';
import { afterAll } from 'vitest';
import type { PatientAgent } from '../../src/agent.js';
import { type PatientCall, type PatientJob, type PatientJobDeps, startPatientJob } from '../../src/patient-job.js';
import { LiveKitStudentRoom, type Student } from '../../src/student-room.js';
import type { RecorderOptions } from '../../src/transcript-recorder.js';
import { FakeJob } from './fake-job.js';
import { fakeLLM, silentLogger, startTextSession } from './text-mode.js';

export { capturingLogger, silentLogger } from './text-mode.js';

let livekit: FakeLiveKit | undefined;
afterAll(async () => {
  await livekit?.close();
});

export async function fakeLiveKit(): Promise<FakeLiveKit> {
  livekit ??= await startFakeLiveKit();
  return livekit;
}

export function studentOf(session: Session, overrides: Record<string, string> = {}): Student {
  return {
    identity: `user-${session.userId}`,
    attributes: {
      tenant_id: session.tenantId,
      user_id: session.userId,
      session_id: session.id,
      case_study_id: session.contentId,
      ...overrides,
    },
  };
}

export interface TestJobOptions {
  student?: Student;
  roomName?: string;
  responses?: voice.testing.FakeLLMResponse[];
  /** Receives the model that plays the patient, to look at what it was given. */
  llm?: voice.testing.FakeLLM;
  heartbeatMs?: number;
  warningBeforeEndMs?: number;
  /** Called while the agent session starts, after admission (the student leaving, the database going away...). */
  onSessionStart?: (fake: FakeJob) => void;
  logger?: Logger;
  recorder?: RecorderOptions;
  endRetry?: PatientJobDeps['endRetry'];
  goodbyeTimeoutMs?: number;
  sessionCloseTimeoutMs?: number;
  pauseOnLostConnection?: boolean;
  /** Builds and starts the agent session (default: a text-mode session driven by `llm`/`responses`). */
  startSession?: (agent: PatientAgent) => Promise<voice.AgentSession>;
}

export interface TestJob {
  job: PatientJob;
  fake: FakeJob;
  livekit: FakeLiveKit;
  /** The running call; throws when the job was refused. */
  call: PatientCall;
}

export async function startTestJob(db: Database, session: Session, options: TestJobOptions = {}): Promise<TestJob> {
  const livekit = await fakeLiveKit();
  const roomName = options.roomName ?? session.roomName;
  await new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret).createRoom({ name: roomName });
  const fake = new FakeJob(roomName, options.student ?? studentOf(session));
  const room = new LiveKitStudentRoom(fake, new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret), {
    pauseOnLostConnection: options.pauseOnLostConnection,
  });
  const llm = options.llm ?? fakeLLM(options.responses ?? []);
  const job = await startPatientJob({
    db,
    room,
    logger: options.logger ?? silentLogger,
    timer: {
      heartbeatMs: options.heartbeatMs ?? 200,
      warningBeforeEndMs: options.warningBeforeEndMs ?? 0,
      retryMs: 50,
    },
    recorder: { retryMs: 20, maxRetryMs: 200, ...options.recorder },
    goodbyeTimeoutMs: options.goodbyeTimeoutMs ?? 5_000,
    sessionCloseTimeoutMs: options.sessionCloseTimeoutMs,
    endRetry: options.endRetry,
    startSession: (agent) => {
      options.onSessionStart?.(fake);
      return options.startSession ? options.startSession(agent) : startTextSession(agent, llm);
    },
  });
  return {
    job,
    fake,
    livekit,
    get call() {
      if (job.kind !== 'running') throw new Error(`job was refused: ${job.reason}`);
      return job.call;
    },
  };
}

/** Sends one student turn and waits for the patient's answer to finish. */
export async function say(call: PatientCall, userInput: string) {
  return call.session.run({ userInput }).wait();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` passes or `timeoutMs` runs out (then throws its last failure). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
