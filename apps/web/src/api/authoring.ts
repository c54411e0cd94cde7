/**
 * Case authoring as the editor reads and writes it (`/v1/authoring/cases`, instructors and admins
 * only). A case travels as its content document, the format of `content/cases/*.json`.
 */
import type {
  AuthoredCase,
  AuthoredCaseSummary,
  CaseStudyContentInput,
  CaseVersionDiff,
  CaseVersionSummary,
} from '@sp/core';
import { useQuery } from '@tanstack/react-query';
import { api } from './client';

const BASE = '/v1/authoring/cases';

export const useAuthoredCases = () =>
  useQuery({ queryKey: ['authoring', 'cases'], queryFn: () => api<AuthoredCaseSummary[]>(BASE) });

export const useAuthoredCase = (caseId: string | null) =>
  useQuery({
    queryKey: ['authoring', 'case', caseId],
    queryFn: () => api<AuthoredCase>(`${BASE}/${caseId}`),
    enabled: caseId !== null,
  });

export const useCaseVersions = (caseId: string | null) =>
  useQuery({
    queryKey: ['authoring', 'versions', caseId],
    queryFn: () => api<CaseVersionSummary[]>(`${BASE}/${caseId}/versions`),
    enabled: caseId !== null,
  });

export const useVersionDiff = (caseId: string, from: number | null, to: number | 'draft') =>
  useQuery({
    queryKey: ['authoring', 'diff', caseId, from, to],
    queryFn: () => api<CaseVersionDiff>(`${BASE}/${caseId}/diff?from=${from}&to=${to}`),
    enabled: from !== null,
  });

export const createCase = (content: CaseStudyContentInput) => api<AuthoredCase>(BASE, { json: content });
export const saveCase = (caseId: string, content: CaseStudyContentInput) =>
  api<AuthoredCase>(`${BASE}/${caseId}`, { method: 'PUT', json: content });
export const publishCase = (caseId: string) => api<AuthoredCase>(`${BASE}/${caseId}/publish`, { method: 'POST' });
/** `unpublish` withdraws the case from students; `archive` retires it for good. */
export const withdrawCase = (caseId: string, how: 'unpublish' | 'archive') =>
  api<AuthoredCase>(`${BASE}/${caseId}/${how}`, { method: 'POST' });
export const previewCase = (caseId: string) =>
  api<{ session_id: string }>(`${BASE}/${caseId}/preview`, { method: 'POST' });
