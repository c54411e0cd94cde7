/**
 * One dispatched job: admit the student, play the patient, keep the transcript
 * and the active timer, and end the call when the time is up. The room and the
 * agent session come in from outside (LiveKit and the voice pipeline in
 * production; a stand-in room and a text-mode session in tests).
 */
import { voice } from '@livekit/agents';
import { type CaseStudy, type Database, endSession, loadTranscript, type Session } from '@sp/db';
import type { Logger } from 'pino';
import { ActiveTimer, type TimerOptions } from './active-timer.js';
import { GOODBYE_LINE, leavingSoonLine, PatientAgent, RESUME_INSTRUCTIONS } from './agent.js';
import { admitStudent } from './session-guard.js';
import type { StudentRoom } from './student-room.js';
import { type RecorderOptions, TranscriptRecorder } from './transcript-recorder.js';

export interface PatientJobDeps {
  db: Database;
  room: StudentRoom;
  logger: Logger;
  timer: TimerOptions;
  /** Builds the agent session around the patient and starts it. */
  startSession(agent: PatientAgent, caseStudy: CaseStudy): Promise<voice.AgentSession>;
  recorder?: RecorderOptions;
  /** The goodbye may take this long to play before the session is ended regardless. */
  goodbyeTimeoutMs?: number;
}

export type JobEnd =
  | { kind: 'timer_expired' }
  | { kind: 'ended_elsewhere'; reason: string }
  | { kind: 'shutdown'; reason: string };

export type PatientJob = { kind: 'refused'; reason: string } | { kind: 'running'; call: PatientCall };

export async function startPatientJob(deps: PatientJobDeps): Promise<PatientJob> {
  const { db, room } = deps;
  const student = await room.waitForStudent();
  const admission = await admitStudent(db, student, room.name);
  if (!admission.admitted) {
    deps.logger.warn(
      { room: room.name, session_id: student.attributes.session_id, reason: admission.reason },
      'refusing the job',
    );
    room.leave(admission.reason);
    return { kind: 'refused', reason: admission.reason };
  }
  const { session: row, caseStudy } = admission;
  const logger = deps.logger.child({ session_id: row.id, tenant_id: row.tenantId, room: room.name });
  const transcript = await loadTranscript(db, row.id);
  const agent = new PatientAgent(caseStudy, transcript);
  const session = await deps.startSession(agent, caseStudy);
  const call = new PatientCall(deps, logger, row, session);
  room.onStudentPresence(student.identity, (present) => call.studentPresent(present));
  await call.begin(transcript.length === 0 ? { greet: agent.openingLine } : { resume: true });
  return { kind: 'running', call };
}

/** A running call: the agent session with its transcript recorder and active timer. */
export class PatientCall {
  readonly recorder: TranscriptRecorder;
  readonly timer: ActiveTimer;
  /** Resolves once the call has wound down: turns flushed, session closed. */
  readonly finished: Promise<JobEnd>;
  private settle!: (end: JobEnd) => void;
  private ending: Promise<JobEnd> | null = null;

  constructor(
    private readonly deps: PatientJobDeps,
    private readonly logger: Logger,
    readonly row: Session,
    readonly session: voice.AgentSession,
  ) {
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.recorder = new TranscriptRecorder(deps.db, row.id, logger, deps.recorder);
    this.recorder.attach(session);
    session.on(voice.AgentSessionEventTypes.MetricsCollected, ({ metrics }) => logger.info({ metrics }, 'metrics'));
    session.on(
      voice.AgentSessionEventTypes.Close,
      () => void this.finish({ kind: 'shutdown', reason: 'session closed' }),
    );
    this.timer = new ActiveTimer(
      deps.db,
      { sessionId: row.id, roomName: deps.room.name },
      deps.timer,
      {
        onWarning: (secondsLeft) => void session.say(leavingSoonLine(secondsLeft)),
        onExpired: () => void this.finish({ kind: 'timer_expired' }),
        onGone: (reason) => void this.finish({ kind: 'ended_elsewhere', reason }),
      },
      logger,
    );
  }

  /** First contact: the clock starts (the session becomes active), then the patient speaks first. */
  async begin(opening: { greet: string } | { resume: true }): Promise<void> {
    if (!(await this.timer.connect())) return;
    const speech =
      'greet' in opening
        ? this.session.say(opening.greet)
        : this.session.generateReply({ instructions: RESUME_INSTRUCTIONS });
    await speech.waitForPlayout();
  }

  studentPresent(present: boolean): void {
    if (this.ending) return;
    const change = present ? this.timer.connect() : this.timer.disconnect();
    change.catch((err) => this.logger.error({ err, present }, 'recording the student presence failed'));
  }

  /** Graceful stop (worker draining): the segment closes and the turns are flushed. */
  shutdown(reason: string): Promise<JobEnd> {
    return this.finish({ kind: 'shutdown', reason });
  }

  private finish(end: JobEnd): Promise<JobEnd> {
    this.ending ??= this.windDown(end).then((done) => {
      this.settle(done);
      return done;
    });
    return this.ending;
  }

  private async windDown(end: JobEnd): Promise<JobEnd> {
    this.logger.info({ end }, 'call ending');
    if (end.kind === 'shutdown')
      await this.timer.disconnect().catch((err) => this.logger.error({ err }, 'closing segment'));
    this.timer.stop();
    if (end.kind === 'timer_expired') await this.sayGoodbye();
    await this.recorder.flush();
    this.recorder.stop();
    if (end.kind === 'timer_expired') await this.endOnTimer();
    await this.session.close().catch((err) => this.logger.error({ err }, 'closing the agent session failed'));
    if (end.kind !== 'shutdown') this.deps.room.leave(end.kind);
    return end;
  }

  private async sayGoodbye(): Promise<void> {
    try {
      this.session.interrupt();
    } catch {
      // nothing was playing
    }
    const goodbye = this.session.say(GOODBYE_LINE, { allowInterruptions: false });
    const late = new Promise((resolve) => setTimeout(resolve, this.deps.goodbyeTimeoutMs ?? 15_000).unref());
    await Promise.race([goodbye.waitForPlayout(), late]);
  }

  /** Ends the session (grading enqueued exactly once, whoever races), then closes the room on everyone. */
  private async endOnTimer(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await endSession(this.deps.db, this.row.id, 'timer_expired');
        this.logger.info({ ended: outcome.ended, end_reason: outcome.session?.endReason }, 'session ended on timer');
        break;
      } catch (err) {
        if (attempt >= 5) {
          this.logger.error({ err }, 'could not end the session; the API ends it at the next resume check');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
    await this.deps.room.deleteRoom().catch((err) => this.logger.error({ err }, 'deleting the room failed'));
  }
}
