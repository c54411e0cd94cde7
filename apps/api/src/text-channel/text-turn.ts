/**
 * One text turn of a case session (POST /v1/sessions/{id}/messages): the
 * student types, the patient answers in a stream. The turn is judged by the
 * text-channel rules (@sp/core) and claimed on the clock before the stream
 * opens; then the student's words and the patient's reply become transcript
 * rows with the next sequence numbers, exactly like voice turns. The patient
 * is the compiled persona on the model endpoint, or the scripted offline
 * patient when none is configured. When the turn uses up the active time the
 * patient says goodbye instead, and the session ends `timer_expired`.
 */

import {
  activeTime,
  notFound,
  type PatientEngine,
  type SessionStreamEvent,
  sessionBusyError,
  sessionEndedError,
  textTurnVerdict,
  turnCrossesWarning,
  voiceLiveError,
} from '@sp/core';
import { claimTextTurn, endSession, releaseTextTurn, type Session } from '@sp/db';
import { type ConfiguredProvider, streamChat, toModelError } from '@sp/models';
import {
  PATIENT_GOODBYE_LINE,
  type PatientCase,
  type PriorTurn,
  scriptedReply,
  textPatientMessages,
} from '@sp/persona';
import type { Logger } from 'pino';
import { sessionLimits } from '../config.js';
import type { Caller } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { closeRoom } from '../http/room-closing.js';
import { endAfterFailedCheck, pendingTimedOut, settleOne } from '../http/session-endings.js';
import type { Emit, StreamedTurn } from '../streaming/event-stream.js';
import { ownSessionWithPatient, ReplyLease, storeReply, type TextSession } from './text-session-store.js';

type TextServices = Pick<Services, 'db' | 'models' | 'config' | 'now' | 'livekit'>;

/** Judging a turn again after losing a race to a heartbeat or another write. */
const MAX_CLAIMS = 3;

interface ClaimedTurn {
  session: Session;
  patient: PatientCase;
  /** The turns before this one. */
  history: PriorTurn[];
  body: string;
  /** The student's turn, as stored. */
  sequence: number;
  at: Date;
  elapsed: number;
  engine: PatientEngine;
  expired: boolean;
  leavingSoon: boolean;
}

export async function prepareTextTurn(
  services: TextServices,
  caller: Caller,
  sessionId: string,
  body: string,
  log: Logger,
): Promise<StreamedTurn<SessionStreamEvent>> {
  const turnLog = log.child({ session_id: sessionId });
  const { turn, switchedFromVoice } = await claimTurn(services, caller, sessionId, body, turnLog);
  if (switchedFromVoice) {
    // The voice room has nobody left to serve; its agent leaves at its next heartbeat anyway.
    void closeRoom(services.livekit, switchedFromVoice, turnLog);
  }
  return (emit) => runTextTurn(services, turn, emit, turnLog);
}

/** Judges the turn and claims it on the clock (storing the student's words), or throws the answer instead. */
async function claimTurn(
  services: TextServices,
  caller: Caller,
  sessionId: string,
  body: string,
  log: Logger,
): Promise<{ turn: ClaimedTurn; switchedFromVoice: string | null }> {
  const { db, config, now, models } = services;
  const engine: PatientEngine = models.configured ? 'model' : 'scripted';
  const limits = sessionLimits(config);
  for (let attempt = 1; ; attempt++) {
    const judged: TextSession | null = await ownSessionWithPatient(db, caller, sessionId);
    if (!judged) throw notFound('Session');
    const { session } = judged;
    // Nobody started it within the pending timeout: it has ended pending_timeout (410), typed to or not.
    if (pendingTimedOut(services, session)) {
      const settled = await settleOne(services, session, log);
      if (settled.status === 'ended') throw sessionEndedError(settled.endReason);
      continue;
    }
    const at = now();
    const verdict = textTurnVerdict(session, at, limits);
    switch (verdict.kind) {
      case 'already_ended':
        throw sessionEndedError(verdict.endReason);
      case 'voice_live':
        throw voiceLiveError();
      case 'busy':
        throw sessionBusyError();
      case 'end':
        throw await endAfterFailedCheck(services, session, verdict.endReason, log);
    }
    const claimed = await claimTextTurn(db, {
      sessionId: session.id,
      version: judged.version,
      gapCapSeconds: limits.gapCapSeconds,
      engine,
      question: body,
    });
    if (claimed) {
      // The clock charged the turn at the database's now(): its figure, not the verdict's estimate, is the truth.
      const elapsed = claimed.session.elapsedActiveTime;
      const turn: ClaimedTurn = {
        session,
        patient: judged.patient,
        history: judged.transcript,
        body,
        sequence: claimed.sequence,
        at: claimed.turnStartedAt,
        elapsed,
        engine,
        expired: elapsed >= session.durationLimit,
        leavingSoon: turnCrossesWarning(
          session.durationLimit,
          activeTime(session, at),
          elapsed,
          config.AGENT_WARNING_BEFORE_END_SECONDS,
        ),
      };
      return { turn, switchedFromVoice: session.channel === 'voice' ? session.roomName : null };
    }
    if (attempt >= MAX_CLAIMS) throw sessionBusyError();
  }
}

async function runTextTurn(
  services: TextServices,
  turn: ClaimedTurn,
  emit: Emit<SessionStreamEvent>,
  log: Logger,
): Promise<void> {
  const { db, models, config } = services;
  const { session } = turn;
  emit({ event: 'meta', data: { session_id: session.id, sequence: turn.sequence, engine: turn.engine } });

  const lease = new ReplyLease(db, session.id, turn.at, config.TEXT_REPLY_LEASE_SECONDS);
  let reply: { text: string; failure: Error | null };
  let leaseAt = turn.at;
  try {
    reply = turn.expired
      ? await sayWords(PATIENT_GOODBYE_LINE, emit)
      : models.configured
        ? await streamPatient(models, turn, emit)
        : await sayWords(scriptedReply(turn.patient, turn.body, turn.history).text, emit);
  } finally {
    leaseAt = await lease.stop();
  }

  const sequence = reply.text
    ? await storeReply(db, session.id, { content: reply.text, interrupted: reply.failure !== null }, leaseAt)
    : null;
  let ending = { status: 'active' as Session['status'], endReason: null as Session['endReason'] };
  if (turn.expired) {
    const outcome = await endSession(db, session.id, 'timer_expired');
    ending = { status: 'ended', endReason: outcome.session?.endReason ?? 'timer_expired' };
    log.info({ ended: outcome.ended, end_reason: ending.endReason }, 'text session ended on timer');
  } else if (sequence === null) {
    await releaseTextTurn(db, session.id, leaseAt);
  }
  if (reply.failure) {
    log.warn({ err: reply.failure, partial_chars: reply.text.length }, 'patient model failed');
    emit({
      event: 'error',
      data: { code: 'MODEL_UNAVAILABLE', message: 'The patient could not answer just now; please send that again.' },
    });
  }
  log.info({ sequence, engine: turn.engine, expired: turn.expired }, 'text turn answered');
  emit({
    event: 'done',
    data: {
      session_id: session.id,
      sequence,
      status: ending.status,
      end_reason: ending.endReason,
      elapsed_active_time: turn.elapsed,
      duration_limit: session.durationLimit,
    },
  });
}

/** A fixed reply (scripted patient, goodbye), sent a few words per delta like a streamed one. */
async function sayWords(text: string, emit: Emit<SessionStreamEvent>) {
  for (const piece of text.match(/\S+\s*/g) ?? []) emit({ event: 'delta', data: { text: piece } });
  return { text, failure: null };
}

async function streamPatient(provider: ConfiguredProvider, turn: ClaimedTurn, emit: Emit<SessionStreamEvent>) {
  let text = '';
  let failure: Error | null = null;
  try {
    const messages = textPatientMessages(turn.patient, turn.history, turn.body, { leavingSoon: turn.leavingSoon });
    for await (const delta of streamChat(provider, { messages, model: provider.models.patient })) {
      text += delta;
      emit({ event: 'delta', data: { text: delta } });
    }
  } catch (error) {
    failure = toModelError(error);
  }
  return { text: text.trim(), failure };
}
