/**
 * The bodies of success answers, in core's envelope (`successEnvelope`, `pagedEnvelope`): every
 * handler answers through these instead of spelling `{ success: true, … }` itself.
 */
import { pageOf } from '@sp/core';

/** `{ success: true, data, message }`. */
export function success<T, M extends string | null = null>(data: T, message: M = null as M) {
  return { success: true as const, data, message };
}

/** `{ success: true, data, total, page, page_size, total_pages, message: null }`: one page of a list. */
export function paged<T>(data: T, total: number, window: { skip: number; limit: number }) {
  return { success: true as const, data, total, ...pageOf(window.skip, window.limit, total), message: null };
}
