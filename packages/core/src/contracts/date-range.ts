/**
 * The `from` / `to` filters of the staff lists (reports, usage, sessions, exports): a day (`2026-03-01`)
 * or an instant (`2026-03-01T09:00:00Z`). `from` a day means its start, `to` a day its end (UTC). Filters
 * stay within years Postgres and every client read alike: 1970-01-01 to 9999-12-31 (UTC).
 */
import { z } from 'zod';

const DAY_MS = 86_400_000;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const inRange = (date: Date) => date.getTime() >= EARLIEST && date.getTime() <= LATEST;

export const startOf = (value: string) => new Date(value);
export const endOf = (value: string) => new Date(Date.parse(value) + (value.length === 10 ? DAY_MS - 1 : 0));

export const dateBound = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .refine((v) => inRange(startOf(v)) && inRange(endOf(v)), 'must be between 1970-01-01 and 9999-12-31 (UTC)');

/** For `.refine` on a query with both: `from` may not come after `to`. */
export const fromNotAfterTo = (q: { from?: string; to?: string }) => !q.from || !q.to || startOf(q.from) <= endOf(q.to);
export const fromAfterTo = { path: ['from'], message: 'must not be after to' };
