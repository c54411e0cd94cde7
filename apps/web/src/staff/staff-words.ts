/** How sessions read to staff, and the scores of a page of sessions. */
import type { SessionStatus } from '@sp/core';
import { useQueries } from '@tanstack/react-query';
import { fetchReport, isGraded, type ReportState } from '../api/resources';
import { LIVE_POLL_MS } from '../api/staff';

export const statusWords: Record<SessionStatus, string> = {
  pending: 'Not started',
  active: 'Live',
  ended: 'Ended',
};

const endReasonStaffWords: Record<string, string> = {
  user_ended: 'the student ended it',
  timer_expired: 'the time ran out',
  conversation_ttl_exceeded: 'the reconnect window passed',
  reconnect_exceeded: 'no reconnections left',
  pending_timeout: 'never started',
  staff_ended: 'ended by staff',
};

export const endReasonWords = (reason: string) => endReasonStaffWords[reason] ?? reason.replaceAll('_', ' ');

/** The score of each ended session of the list that has a completed report. */
export function useScores(rows: { id: string; status: SessionStatus }[]): Map<string, number> {
  const ended = rows.filter((r) => r.status === 'ended');
  const reports = useQueries({
    queries: ended.map((r) => ({
      queryKey: ['report', r.id],
      queryFn: () => fetchReport(r.id),
      // A report still grading is asked again with the list.
      refetchInterval: (query: { state: { data?: ReportState } }) =>
        query.state.data === undefined || query.state.data === null || isGraded(query.state.data)
          ? false
          : LIVE_POLL_MS,
    })),
  });
  const scores = new Map<string, number>();
  ended.forEach((r, i) => {
    const report = reports[i]?.data;
    if (report && isGraded(report) && report.score !== null) scores.set(r.id, report.score);
  });
  return scores;
}
