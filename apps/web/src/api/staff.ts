/**
 * The staff API as the instructor console reads it (instructors and admins
 * only; a student gets 403 from every one of these routes).
 */
import type { CaseStudyStaffView, SessionStatus } from '@sp/core';
import { useQuery } from '@tanstack/react-query';
import { api, apiBody } from './client';

/** How often the sessions table and a live session's page ask again, so they change without a reload. */
export const LIVE_POLL_MS = 3_000;

export interface StaffSessionRow {
  id: string;
  user_id: string;
  content_id: string;
  status: SessionStatus;
  end_reason: string | null;
  start_time: string | null;
  end_time: string | null;
  created_at: string;
  elapsed_active_time: number;
  metadata: Record<string, unknown>;
}

export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
}

export interface SessionFilters {
  content_id?: string;
  user_id?: string;
  status?: SessionStatus;
  skip?: number;
  limit?: number;
}

/** `{ a: 'x', b: undefined }` → `?a=x` */
export function queryString(filters: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '' && value !== null) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The tenant's sessions, newest first; asked again every few seconds while any of them is live. */
export const useStaffSessions = (filters: SessionFilters) =>
  useQuery({
    queryKey: ['staff', 'sessions', filters],
    queryFn: () => apiBody<Page<StaffSessionRow>>(`/v1/admin/sessions${queryString(filters)}`),
    refetchInterval: LIVE_POLL_MS,
    placeholderData: (previous) => previous,
  });

/** Every case of the tenant as staff see it (rubric included). */
export const useStaffCases = () =>
  useQuery({
    queryKey: ['staff', 'case-studies'],
    queryFn: () => api<CaseStudyStaffView[]>('/v1/case-studies'),
  });

export function regrade(sessionId: string) {
  return api<{ session_id: string; status: 'pending' }>(`/v1/admin/sessions/${sessionId}/regrade`, { method: 'POST' });
}
