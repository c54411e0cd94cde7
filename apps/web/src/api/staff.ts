/**
 * The staff API as the instructor console reads it (instructors and admins
 * only; a student gets 403 from every one of these routes), typed by the
 * shared staff contract.
 */
import type {
  Accommodation,
  AccommodationRequest,
  AttemptGrantRequest,
  AttemptStanding,
  CaseStudyStaffView,
  CohortStats,
  GraderAgreement,
  ItemReviewRequest,
  StaffEndRequest,
  StaffReport,
  StaffSession,
  StaffSessionDetail,
  StaffSessionFilters,
  StaffSessionList,
  StudentSummary,
  StudentView,
} from '@sp/core';
import { useQuery } from '@tanstack/react-query';
import { api, apiBody, failureOf, send } from './client';

/** How often the sessions table and a live session's page ask again, so they change without a reload. */
export const LIVE_POLL_MS = 3_000;

/** The list's filters as the page holds them (every field optional, as typed into the form). */
export type SessionFilters = Partial<StaffSessionFilters>;

/** `{ a: 'x', b: undefined }` → `?a=x` */
export function queryString(filters: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '' && value !== null) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The tenant's sessions, newest first, asked again every few seconds so live rows stay live. */
export const useStaffSessions = (filters: SessionFilters & { skip?: number; limit?: number }) =>
  useQuery({
    queryKey: ['staff', 'sessions', filters],
    queryFn: () => apiBody<StaffSessionList>(`/v1/admin/sessions${queryString(filters)}`),
    refetchInterval: LIVE_POLL_MS,
    placeholderData: (previous) => previous,
  });

/** One session with its transcript and report; asked again while it runs or is being graded. */
export const useStaffSession = (sessionId: string) =>
  useQuery({
    queryKey: ['staff', 'session', sessionId],
    queryFn: () => api<StaffSessionDetail>(`/v1/admin/sessions/${sessionId}`),
    refetchInterval: (query) => (settled(query.state.data) ? false : LIVE_POLL_MS),
  });

/** Nothing about it changes by itself any more: ended, and graded, failed or never sent for grading. */
export const settled = (s: StaffSessionDetail | undefined) =>
  s !== undefined &&
  s.status === 'ended' &&
  (s.grading_status === 'completed' || s.grading_status === 'failed' || s.grading_status === 'not_started');

/** Every case of the tenant as staff see it (rubric included). */
export const useStaffCases = () =>
  useQuery({
    queryKey: ['staff', 'case-studies'],
    queryFn: () => api<CaseStudyStaffView[]>('/v1/case-studies'),
  });

export const useCohort = (contentId: string | undefined, range: { from?: string; to?: string }) =>
  useQuery({
    queryKey: ['staff', 'cohort', contentId, range],
    queryFn: () => api<CohortStats>(`/v1/admin/cohorts/${contentId}${queryString(range)}`),
    enabled: !!contentId,
  });

export const useGraderAgreement = () =>
  useQuery({
    queryKey: ['staff', 'grader-agreement'],
    queryFn: () => api<GraderAgreement>('/v1/admin/grader-agreement'),
  });

export const useStudents = (skip: number, limit: number) =>
  useQuery({
    queryKey: ['staff', 'students', skip, limit],
    queryFn: () =>
      apiBody<{ data: StudentSummary[]; total: number; page: number; total_pages: number }>(
        `/v1/admin/students${queryString({ skip, limit })}`,
      ),
    placeholderData: (previous) => previous,
  });

export const useStudent = (userId: string) =>
  useQuery({
    queryKey: ['staff', 'student', userId],
    queryFn: () => api<StudentView>(`/v1/admin/students/${encodeURIComponent(userId)}`),
  });

export function regrade(sessionId: string) {
  return api<{ session_id: string; status: 'pending' }>(`/v1/admin/sessions/${sessionId}/regrade`, { method: 'POST' });
}

export function endAsStaff(sessionId: string, body: StaffEndRequest) {
  return api<StaffSession>(`/v1/admin/sessions/${sessionId}/end`, { json: body });
}

export function reviewItem(sessionId: string, itemId: string, body: ItemReviewRequest) {
  return api<StaffReport>(`/v1/admin/sessions/${sessionId}/report/items/${encodeURIComponent(itemId)}/review`, {
    json: body,
  });
}

export function grantAttempts(userId: string, body: AttemptGrantRequest) {
  return api<AttemptStanding>(`/v1/admin/students/${encodeURIComponent(userId)}/attempt-grants`, { json: body });
}

export function setAccommodation(userId: string, body: AccommodationRequest) {
  return api<Accommodation>(`/v1/admin/students/${encodeURIComponent(userId)}/accommodation`, {
    method: 'PUT',
    json: body,
  });
}

/**
 * Downloads a CSV export (filtered like the list) under `fileName`. The export needs the bearer
 * token, so it is fetched and handed to the browser as a file rather than followed as a link.
 */
export async function downloadCsv(kind: 'sessions' | 'transcripts', filters: SessionFilters, fileName: string) {
  const res = await send(`/v1/admin/exports/${kind}.csv${queryString(filters)}`, { headers: { accept: 'text/csv' } });
  if (!res.ok) throw await failureOf(res);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
