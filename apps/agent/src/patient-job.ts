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
import { Backoff } from './backoff.js';
import { admitStudent } from './session-guard.js';
import type { Student, StudentRoom } from './student-room.js';
import { type RecorderOptions, TranscriptRecorder } from './transcript-recorder.js';

export interface PatientJobDeps {
  db: Database;
  room: StudentRoom;
  logger: Logger;
  timer: TimerOptions;
  /** Builds the agent session around the patient, listening to `student`, and starts it. */
  startSession(agent: PatientAgent, caseStudy: CaseStudy, student: Student): Promise<voice.AgentSession>;
  recorder?: RecorderOptions;
  /** The goodbye may take this long to play before the session is ended regardless. */
  goodbyeTimeoutMs?: number;
  /** Closing the agent session may take this long before the wind-down goes on without it. */
  sessionCloseTimeoutMs?: number;
  /** Backoff between attempts to end the session when the time is up (retried while the job lives). */
  endRetry?: { firstMs: number; maxMs: number };
}

export type JobEnd =
  | { kind: 'timer_expired' }
  | { kind: 'ended_elsewhere'; reason: string }
  /** The framework closed the agent session under the call (an unrecoverable model error, the job shutting down). */
  | { kind: 'session_closed'; reason: string }
  | { kind: 'shutdown'; reason: string };

export type PatientJob = { kind: 'refused'; reason: string } | { kind: 'running'; call: PatientCall };

/** What the patient says first: the greeting on a new session, a reply picking up the talk on a resume. */
type Opening = { greet: string } | { resume: true };

/** How long a wind-down waits for the clock's segment to close before it goes on. */
const CLOCK_CLOSE_TIMEOUT_MS = 10_000;
/** How long a wind-down waits for the agent session to close (a stalled model or TTS) before it goes on. */
const SESSION_CLOSE_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Like sleep, but keeps no process alive: for time limits raced against work. */
const timeLimit = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export async function startPatientJob(deps: PatientJobDeps): Promise<PatientJob> {
  const { db, room } = deps;
  const student = await room.waitForStudent();
  // Listen from the first moment: a student who leaves while the pipeline starts must not leave the clock running.
  let present = true;
  let call: PatientCall | undefined;
  const unsubscribe = room.onStudentPresence(student.identity, (now) => {
    present = now;
    call?.studentPresent(now);
  });
  try {
    const admission = await admitStudent(db, student, room.name);
    if (!admission.admitted) {
      deps.logger.warn(
        { room: room.name, session_id: student.attributes.session_id, reason: admission.reason },
        'refusing the job',
      );
      unsubscribe();
      room.leave(admission.reason);
      return { kind: 'refused', reason: admission.reason };
    }
    const { session: row, caseStudy } = admission;
    const logger = deps.logger.child({ session_id: row.id, tenant_id: row.tenantId, room: room.name });
    const transcript = await loadTranscript(db, row.id);
    const agent = new PatientAgent({ ...caseStudy, context: row.context }, transcript);
    const session = await deps.startSession(agent, caseStudy, student);
    call = new PatientCall(deps, logger, row, session);
    call.studentPresent(present);
    await call.begin(transcript.length === 0 ? { greet: agent.openingLine } : { resume: true });
    return { kind: 'running', call };
  } catch (error) {
    unsubscribe();
    // A call that exists winds down before the job hears of the failure: the job then closes the
    // database, which must not happen under a clock segment still open or turns still queued.
    await call?.shutdown('start failed');
    throw error;
  }
}

/** A running call: the agent session with its transcript recorder and active timer. */
export class PatientCall {
  readonly recorder: TranscriptRecorder;
  readonly timer: ActiveTimer;
  /** Resolves once the call has wound down: session closed, turns flushed, room left. */
  readonly finished: Promise<JobEnd>;
  private settle!: (end: JobEnd) => void;
  private ending: Promise<JobEnd> | null = null;
  /** The room's latest word on the student; before `begin` it is only recorded. */
  private present = true;
  private begun = false;
  /** Spoken at the first contact, then cleared. */
  private opening: Opening | null = null;
  /** Settles once the opening has played (or could not): later lines wait for it. */
  private readonly opened: Promise<void>;
  private openingPlayed!: () => void;

  constructor(
    private readonly deps: PatientJobDeps,
    private readonly logger: Logger,
    readonly row: Session,
    readonly session: voice.AgentSession,
  ) {
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.opened = new Promise((resolve) => {
      this.openingPlayed = resolve;
    });
    this.recorder = new TranscriptRecorder(deps.db, row.id, logger, deps.recorder);
    this.recorder.attach(session);
    session.on(voice.AgentSessionEventTypes.MetricsCollected, ({ metrics }) => logger.info({ metrics }, 'metrics'));
    session.on(voice.AgentSessionEventTypes.Close, (ev) => {
      if (this.ending) return; // our own wind-down closed it
      logger[ev.error ? 'error' : 'info'](
        { close_reason: ev.reason, err: ev.error ?? undefined },
        'agent session closed',
      );
      void this.finish({ kind: 'session_closed', reason: String(ev.reason) });
    });
    this.timer = new ActiveTimer(
      deps.db,
      { sessionId: row.id, roomName: deps.room.name },
      deps.timer,
      {
        onWarning: (secondsLeft) => void this.warnLeavingSoon(secondsLeft),
        onExpired: () => void this.finish({ kind: 'timer_expired' }),
        onGone: (reason) => void this.finish({ kind: 'ended_elsewhere', reason }),
      },
      logger,
    );
  }

  /** The call starts: at the first contact the clock starts (the session becomes active) and the patient speaks first. */
  async begin(opening: Opening): Promise<void> {
    this.begun = true;
    this.opening = opening;
    this.timer.start();
    if (this.present) await this.arrive();
  }

  studentPresent(present: boolean): void {
    if (this.ending) return;
    this.present = present;
    if (!this.begun) return;
    const change = present ? this.arrive() : this.timer.disconnect();
    change.catch((err) => this.logger.error({ err, present }, 'recording the student presence failed'));
  }

  /** Graceful stop (the job is shutting down): the segment closes and the turns are flushed. */
  shutdown(reason: string): Promise<JobEnd> {
    return this.finish({ kind: 'shutdown', reason });
  }

  /** The student is with the patient: the clock runs, and the patient opens if it has not yet. */
  private async arrive(): Promise<void> {
    // The clock starts (retrying through a database outage) while the patient opens: the greeting
    // never waits for the database. The student was admitted against the row just before.
    const contact = this.timer.connect();
    await Promise.all([contact, this.open()]);
  }

  /** The greeting on a new session, a reply picking up the talk on a resume; once. */
  private async open(): Promise<void> {
    if (!this.opening || this.ending) return;
    const opening = this.opening;
    this.opening = null;
    const speech = this.speak(() =>
      'greet' in opening
        ? this.session.say(opening.greet)
        : this.session.generateReply({ instructions: RESUME_INSTRUCTIONS }),
    );
    try {
      await speech?.waitForPlayout();
    } finally {
      this.openingPlayed();
    }
  }

  /**
   * Once, shortly before the end: after the opening (on a resume with little time left, the
   * greeting comes first), and not interruptible, so a student talking over it still hears it.
   */
  private async warnLeavingSoon(secondsLeft: number): Promise<void> {
    await this.opened;
    if (this.ending) return;
    this.speak(() => this.session.say(leavingSoonLine(secondsLeft), { allowInterruptions: false }));
  }

  /**
   * Starts a line; null when the agent session is closing or closed, where say() and
   * generateReply() throw at once. A line that cannot be spoken is logged, never thrown: from
   * a timer it would crash the job process, in the wind-down it would stop the call ending.
   */
  private speak(start: () => voice.SpeechHandle): voice.SpeechHandle | null {
    try {
      return start();
    } catch (err) {
      this.logger.warn({ err }, 'the patient could not speak: the agent session is closing');
      return null;
    }
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
    // The clock stops first (a no-op once the timer stopped itself: time up, session gone).
    const clock = this.timer.disconnect();
    if (end.kind === 'timer_expired') await this.sayGoodbye();
    // Closing commits what is still in flight (the reply being spoken, as interrupted, and the
    // student's last words), so it comes before the flush.
    const closed = this.session.close().then(
      () => true,
      (err) => {
        this.logger.error({ err }, 'closing the agent session failed');
        return true;
      },
    );
    const closeTimeoutMs = this.deps.sessionCloseTimeoutMs ?? SESSION_CLOSE_TIMEOUT_MS;
    if (!(await Promise.race([closed, timeLimit(closeTimeoutMs).then(() => false)]))) {
      this.logger.error({ timeout_ms: closeTimeoutMs }, 'closing the agent session is taking too long; going on');
    }
    await this.recorder.flush();
    this.recorder.stop();
    await Promise.race([clock, timeLimit(CLOCK_CLOSE_TIMEOUT_MS)]);
    this.timer.stop();
    if (end.kind === 'timer_expired') await this.endOnTimer();
    if (end.kind !== 'shutdown') this.deps.room.leave(end.kind);
    return end;
  }

  private async sayGoodbye(): Promise<void> {
    try {
      this.session.interrupt();
    } catch {
      // nothing was playing
    }
    const goodbye = this.speak(() => this.session.say(GOODBYE_LINE, { allowInterruptions: false }));
    // No goodbye (the session is closing): straight on to closing, flushing and ending.
    if (!goodbye) return;
    await Promise.race([goodbye.waitForPlayout(), timeLimit(this.deps.goodbyeTimeoutMs ?? 15_000)]);
  }

  /**
   * Ends the session (grading enqueued exactly once, whoever races), then closes the room on everyone.
   * The ending is retried for as long as the job lives: given up, the session would stay active
   * with no time left and ungraded until the student next tried to resume.
   */
  private async endOnTimer(): Promise<void> {
    const { firstMs, maxMs } = this.deps.endRetry ?? { firstMs: 200, maxMs: 5_000 };
    const backoff = new Backoff(firstMs, maxMs);
    for (;;) {
      try {
        const outcome = await endSession(this.deps.db, this.row.id, 'timer_expired');
        this.logger.info(
          { ended: outcome.ended, end_reason: outcome.session?.endReason, attempts: backoff.failures + 1 },
          'session ended on timer',
        );
        break;
      } catch (err) {
        const delay = backoff.next();
        const attempt = backoff.failures;
        this.logger[attempt < 5 ? 'warn' : 'error'](
          { err, attempt, retry_in_ms: delay },
          'ending the session on timer failed; retrying while the job lives',
        );
        await sleep(delay);
      }
    }
    await this.deps.room.deleteRoom().catch((err) => this.logger.error({ err }, 'deleting the room failed'));
  }
}
