/** Rows to the contract's snake_case views; the elapsed figure is the live one. */
import { activeTime, type SessionSummary, type SessionView, type TranscriptMessage } from '@sp/core';
import type { Session, SessionMessage } from '@sp/db';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function sessionView(row: Session, now: Date): SessionView {
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
    elapsed_active_time: activeTime(row, now),
    reconnect_count: row.reconnectCount,
    end_reason: row.endReason,
    duration_limit: row.durationLimit,
  };
}

export function sessionSummary(row: Session, now: Date): SessionSummary {
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
    elapsed_active_time: activeTime(row, now),
  };
}

export function transcriptMessage(
  row: Pick<SessionMessage, 'role' | 'content' | 'sequence' | 'timestamp'>,
): TranscriptMessage {
  return { role: row.role, content: row.content, sequence: row.sequence, timestamp: row.timestamp.toISOString() };
}
