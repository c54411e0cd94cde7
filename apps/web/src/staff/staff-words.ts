/** How sessions and figures read to staff. */
import type { EndReason, SessionStatus } from '@sp/core';

export const statusWords: Record<SessionStatus, string> = {
  pending: 'Not started',
  active: 'Live',
  ended: 'Ended',
};

const endReasonStaffWords: Record<EndReason, string> = {
  user_ended: 'the student ended it',
  timer_expired: 'the time ran out',
  conversation_ttl_exceeded: 'the reconnect window passed',
  reconnect_exceeded: 'no reconnections left',
  pending_timeout: 'never started',
  staff_ended: 'ended by staff',
};

export const endReasonWords = (reason: EndReason) => endReasonStaffWords[reason] ?? reason;

export const channelWords = { voice: 'Voice', text: 'Typing' } as const;

/** `Live`, or `Ended: the time ran out`. */
export const statusText = (s: { status: SessionStatus; end_reason: EndReason | null }) =>
  `${statusWords[s.status]}${s.end_reason ? `: ${endReasonWords(s.end_reason)}` : ''}`;

/** `0.75` → `75%`; null (nothing reviewed yet) → `no reviews yet`. */
export const percent = (share: number | null) => (share === null ? 'no reviews yet' : `${Math.round(share * 100)}%`);
