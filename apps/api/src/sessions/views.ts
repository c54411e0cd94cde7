/** Rows to the contract's snake_case views; the elapsed figure and the expiry figures are the live ones. */
import {
  activeTime,
  durationSeconds,
  fullTranscript,
  messageOffset,
  reconnectsRemaining,
  remainingTime,
  resumeDeadline,
  type SessionLimits,
  type SessionMessageView,
  type SessionSummary,
  type SessionView,
  type SessionWithMessages,
  type StaffSession,
  type StaffSessionSummary,
  type TranscriptMessage,
  toMilliseconds,
  wordCount,
} from '@sp/core';
import type { Session, SessionMessage } from '@sp/db';
import type { StaffSessionRow } from './staff-queries.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** When the figures are taken, and the reconnect limits they are judged by (the API's configuration). */
export interface ViewClock {
  now: Date;
  limits: SessionLimits;
}

function expiryFigures(row: Session, { now, limits }: ViewClock) {
  return {
    resume_deadline: iso(resumeDeadline(row, now, limits)),
    reconnects_remaining: reconnectsRemaining(row, limits),
    remaining_active_time: remainingTime(row, now),
  };
}

export function sessionView(row: Session, clock: ViewClock): SessionView {
  return {
    id: row.id,
    user_id: row.userId,
    content_type_id: 'case_study',
    content_id: row.contentId,
    conversation_id: row.conversationId,
    status: row.status,
    is_active: row.isActive,
    start_time: iso(row.startTime),
    end_time: iso(row.endTime),
    last_activity: iso(row.lastActivity),
    created_at: row.createdAt.toISOString(),
    elapsed_active_time: activeTime(row, clock.now),
    reconnect_count: row.reconnectCount,
    end_reason: row.endReason,
    duration_limit: row.durationLimit,
    duration_multiplier: row.durationMultiplier,
    metadata: row.metadata,
    ...expiryFigures(row, clock),
    duration_seconds: durationSeconds(row.startTime, row.endTime, clock.now),
  };
}

type Turn = Pick<SessionMessage, 'role' | 'content' | 'sequence' | 'timestamp'>;
type ChannelTurn = Turn & Pick<SessionMessage, 'channel'>;

/** GET /v1/sessions/{id}: the session, its messages with their offsets, and the transcript's figures. */
export function sessionWithMessages(row: Session, turns: ChannelTurn[], clock: ViewClock): SessionWithMessages {
  const messages = turns.map((turn) => sessionMessageView(turn, row.startTime));
  return { ...sessionView(row, clock), messages, full_transcript: fullTranscript(turns), word_count: wordCount(turns) };
}

/** One message with its channel and its offset from the session's start. */
export function sessionMessageView(turn: ChannelTurn, startTime: Date | null): SessionMessageView {
  return {
    ...transcriptMessage(turn),
    channel: turn.channel,
    offset_seconds: messageOffset(turn.timestamp, startTime),
  };
}

export function sessionSummary(row: Session, clock: ViewClock): SessionSummary {
  return {
    id: row.id,
    content_type_id: 'case_study',
    content_id: row.contentId,
    status: row.status,
    is_active: row.isActive,
    start_time: iso(row.startTime),
    end_time: iso(row.endTime),
    created_at: row.createdAt.toISOString(),
    end_reason: row.endReason,
    elapsed_active_time: activeTime(row, clock.now),
    ...expiryFigures(row, clock),
  };
}

export function transcriptMessage(row: Turn): TranscriptMessage {
  return { role: row.role, content: row.content, sequence: row.sequence, timestamp: row.timestamp.toISOString() };
}

/** What staff see beside the student's fields; the elapsed and remaining figures are the database's live ones. */
function staffFields(row: StaffSessionRow) {
  const { session } = row;
  return {
    user_id: session.userId,
    metadata: session.metadata,
    case_title: row.caseTitle,
    channel: session.channel,
    attempt_number: session.attemptNumber,
    duration_limit: session.durationLimit,
    duration_multiplier: session.durationMultiplier,
    preview: session.preview,
    ended_by: session.endedBy,
    grading_status: session.gradingStatus,
    score: row.score,
    grader: row.grader,
    elapsed_active_time: row.liveElapsed,
    remaining_active_time: toMilliseconds(Math.max(0, session.durationLimit - row.liveElapsed)),
  };
}

export function staffSessionSummary(row: StaffSessionRow, clock: ViewClock): StaffSessionSummary {
  return { ...sessionSummary(row.session, clock), ...staffFields(row) };
}

export function staffSessionView(row: StaffSessionRow, clock: ViewClock): StaffSession {
  return { ...sessionView(row.session, clock), ...staffFields(row) };
}
