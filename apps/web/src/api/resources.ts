/** The API's resources as the pages read them, typed by the shared contracts. */
import type {
  CaseStudyStudentView,
  InitializeRequest,
  InitializeResponse,
  SessionListResponse,
  SessionView,
  SessionWithMessages,
} from '@sp/core';
import { type GradeReportView, isTerminal } from '@sp/core';
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, apiBody, failureOf, send } from './client';

export type { GradeReportView };

export const useCaseStudies = () =>
  useQuery({ queryKey: ['case-studies'], queryFn: () => api<CaseStudyStudentView[]>('/v1/case-studies') });

export const useMySessions = () =>
  useQuery({
    queryKey: ['sessions'],
    queryFn: () => apiBody<SessionListResponse>('/v1/sessions?limit=100'),
  });

export const useSessionWithMessages = (sessionId: string) =>
  useQuery({
    queryKey: ['session', sessionId],
    queryFn: () => api<SessionWithMessages>(`/v1/sessions/${sessionId}`),
  });

export function initialize(body: InitializeRequest) {
  return api<InitializeResponse>('/v1/sessions/initialize', { json: body });
}

export function endSession(sessionId: string) {
  return api<SessionView>(`/v1/sessions/${sessionId}/end`, { method: 'POST' });
}

export type ReportState = { status: 'pending' | 'running' } | GradeReportView | null;

/**
 * The report of an ended session: null when there is none (a session that
 * never started), the grading status while it runs. `waitSeconds` holds the
 * request until grading is done (the API's long-poll).
 */
export async function fetchReport(sessionId: string, waitSeconds = 0): Promise<ReportState> {
  const query = waitSeconds > 0 ? `?wait_for_completion=true&timeout_seconds=${waitSeconds}` : '';
  const res = await send(`/v1/sessions/${sessionId}/report${query}`);
  if (res.status === 404) return null;
  if (!res.ok) throw await failureOf(res);
  const body = (await res.json()) as { data: ReportState };
  return body.data;
}

/** Grading is over for this report (core's isTerminal): a final or failed report, not a status to wait on. */
export const isGraded = (report: ReportState): report is GradeReportView =>
  report !== null && isTerminal(report.status);

export { ApiError };
