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
  DomainError,
  notFound,
  type PatientEngine,
  SESSION_DEFAULTS,
  type SessionStreamEvent,
  sessionEndedError,
  textTurnVerdict,
} from '@sp/core';
import { appendTurn, endSession, type Session } from '@sp/db';
import { type ConfiguredProvider, streamChat, toModelError } from '@sp/models';
import { PATIENT_GOODBYE_LINE, type PatientCase, scriptedReply, textPatientMessages } from '@sp/persona';
import type { Logger } from 'pino';
import type { Caller } from '../app-context.js';
import type { Services } from '../deps.js';
import { endAfterFailedCheck } from '../sessions/resume-session.js';
import { closeRoom } from '../sessions/room-closing.js';
import { transcriptOf } from '../sessions/session-store.js';
import type { Emit, StreamedTurn } from '../streaming/event-stream.js';
import { claimTextTurn, ownSessionWithPatient, releaseTextTurn, type TextSession } from './text-session-store.js';

type TextServices = Pick<Services, 'db' | 'models' | 'config' | 'now' | 'livekit'>;

/** Judging a turn again after losing a race to a heartbeat or another write. */
const MAX_CLAIMS = 3;

interface ClaimedTurn {
  session: Session;
  patient: PatientCase;
  body: string;
  at: Date;
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
  const { db, models, livekit } = services;
  const engine: PatientEngine = models.configured ? 'model' : 'scripted';
  const turnLog = log.child({ session_id: sessionId });
  const [claimed, history] = await Promise.all([
    claimTurn(services, caller, sessionId, body, engine, turnLog),
    transcriptOf(db, sessionId),
  ]);
  if (claimed.switchedFromVoice) {
    // The voice room has nobody left to serve; its agent leaves at its next heartbeat anyway.
    void closeRoom(livekit, claimed.switchedFromVoice, turnLog);
  }
  return (emit) => runTextTurn(services, claimed.turn, history, emit, turnLog);
}

/** Judges the turn and claims it on the clock, or throws the answer the student gets instead. */
async function claimTurn(
  services: TextServices,
  caller: Caller,
  sessionId: string,
  body: string,
  engine: PatientEngine,
  log: Logger,
): Promise<{ turn: ClaimedTurn; switchedFromVoice: string | null }> {
  const { db, config, now } = services;
  const limits = {
    reconnectWindowSeconds: config.RECONNECT_WINDOW_SECONDS,
    gapCapSeconds: config.TEXT_TURN_GAP_CAP_SECONDS,
  };
  for (let attempt = 1; ; attempt++) {
    const judged: TextSession | null = await ownSessionWithPatient(db, caller, sessionId);
    if (!judged) throw notFound('Session');
    const at = now();
    const verdict = textTurnVerdict({ ...judged.session }, at, limits);
    switch (verdict.kind) {
      case 'already_ended':
        throw sessionEndedError(verdict.endReason);
      case 'voice_live':
        throw new DomainError(
          'SESSION_CHANNEL_CONFLICT',
          'This session is live by voice: leave the call to continue by text',
          { channel: 'voice' },
        );
      case 'busy':
        throw busy();
      case 'end':
        throw await endAfterFailedCheck(services, judged.session, verdict.endReason, log);
    }
    const session = await claimTextTurn(db, judged, { at, elapsed: verdict.elapsed, engine });
    if (session) {
      const warnAt = SESSION_DEFAULTS.warningBeforeEndSeconds;
      const leftBefore = session.durationLimit - activeTime(judged.session, at);
      const leftAfter = session.durationLimit - verdict.elapsed;
      const turn = {
        session,
        patient: judged.patient,
        body,
        at,
        engine,
        expired: verdict.expired,
        leavingSoon: leftAfter <= warnAt && leftBefore > warnAt,
      };
      return { turn, switchedFromVoice: judged.session.channel === 'voice' ? judged.session.roomName : null };
    }
    if (attempt >= MAX_CLAIMS) throw busy();
  }
}

const busy = () => new DomainError('SESSION_BUSY', 'The patient is still answering your previous message');

async function runTextTurn(
  services: TextServices,
  turn: ClaimedTurn,
  history: { role: 'user' | 'assistant'; content: string }[],
  emit: Emit<SessionStreamEvent>,
  log: Logger,
): Promise<void> {
  const { db, models } = services;
  const { session } = turn;
  const question = await appendTurn(db, session.id, { role: 'user', content: turn.body, channel: 'text' });
  emit({ event: 'meta', data: { session_id: session.id, sequence: question.sequence, engine: turn.engine } });

  const reply = turn.expired
    ? await sayWords(PATIENT_GOODBYE_LINE, emit)
    : models.configured
      ? await streamPatient(models, turn, history, emit)
      : await sayWords(scriptedReply(turn.patient, turn.body, history).text, emit);

  const stored = reply.text
    ? await appendTurn(db, session.id, {
        role: 'assistant',
        content: reply.text,
        channel: 'text',
        interrupted: reply.failure !== null,
      })
    : null;
  let final = session;
  if (turn.expired) {
    const outcome = await endSession(db, session.id, 'timer_expired');
    final = outcome.session ?? session;
    log.info({ ended: outcome.ended, end_reason: final.endReason }, 'text session ended on timer');
  } else {
    await releaseTextTurn(db, session.id, turn.at);
  }
  if (reply.failure) {
    log.warn({ err: reply.failure, partial_chars: reply.text.length }, 'patient model failed');
    emit({
      event: 'error',
      data: { code: 'MODEL_UNAVAILABLE', message: 'The patient could not answer just now; please send that again.' },
    });
  }
  log.info({ sequence: stored?.sequence ?? null, engine: turn.engine, expired: turn.expired }, 'text turn answered');
  emit({
    event: 'done',
    data: {
      session_id: session.id,
      sequence: stored?.sequence ?? null,
      status: final.status,
      end_reason: final.endReason,
      elapsed_active_time: final.elapsedActiveTime,
      duration_limit: final.durationLimit,
    },
  });
}

/** A fixed reply (scripted patient, goodbye), sent a few words per delta like a streamed one. */
async function sayWords(text: string, emit: Emit<SessionStreamEvent>) {
  for (const piece of text.match(/\S+\s*/g) ?? []) emit({ event: 'delta', data: { text: piece } });
  return { text, failure: null };
}

async function streamPatient(
  provider: ConfiguredProvider,
  turn: ClaimedTurn,
  history: { role: 'user' | 'assistant'; content: string }[],
  emit: Emit<SessionStreamEvent>,
) {
  let text = '';
  let failure: Error | null = null;
  try {
    const messages = textPatientMessages(turn.patient, history, turn.body, { leavingSoon: turn.leavingSoon });
    for await (const delta of streamChat(provider, { messages, model: provider.models.patient })) {
      text += delta;
      emit({ event: 'delta', data: { text: delta } });
    }
  } catch (error) {
    failure = toModelError(error);
  }
  return { text: text.trim(), failure };
}
