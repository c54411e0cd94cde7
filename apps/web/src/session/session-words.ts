/** How a session's state reads to a student. */
import type { EndReason, SessionView } from '@sp/core';
import { formatClock } from './countdown';

export const endReasonWords: Record<EndReason, string> = {
  user_ended: 'you ended it',
  timer_expired: 'the time ran out',
  conversation_ttl_exceeded: 'the hour to come back passed',
  reconnect_exceeded: 'no reconnections were left',
  pending_timeout: 'it never started (not graded, not an attempt)',
  staff_ended: 'your instructor ended it',
};

export function endReasonText(session: Pick<SessionView, 'status' | 'end_reason' | 'elapsed_active_time'>): string {
  const used = `${formatClock(session.elapsed_active_time)} used`;
  if (session.status !== 'ended') return `In progress, ${used}.`;
  return `Ended: ${session.end_reason ? endReasonWords[session.end_reason] : 'ended'}, ${used}.`;
}
