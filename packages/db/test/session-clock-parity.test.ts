/**
 * One clock, two languages: the API and the worker read the clock with
 * `activeTime` / `textTurnElapsed` (@sp/core, TypeScript), the database writes
 * it with `activeTimeSql` / `textTurnElapsedSql` (this package). Generated
 * session rows are fed to both, each row with its own "now", and every row
 * must come out equal: exactly, to the millisecond the clock counts in.
 *
 * The rows go to PostgreSQL as one JSON document per run, read back as a row
 * set named `sessions`, so the SQL evaluated is the very expression the clock's
 * UPDATEs use (its columns render as `"sessions"."…"`), on the real server.
 *
 * Why exact: every timestamp is on the millisecond grid (a JS Date can hold
 * nothing finer) and every stored figure is on it too, because every write
 * rounds to whole milliseconds (`round(…, 3)` / `toMilliseconds`). Sums of such
 * figures are off the grid by float noise only (1e-12 s), far from a half
 * millisecond, so both sides round to the same millisecond. The last property
 * feeds figures off the grid (any double) and allows one millisecond: there
 * JavaScript rounds a binary double half-up while Postgres rounds the decimal
 * it printed half away from zero, so a figure within float noise of a half
 * millisecond may land on either side.
 */
import {
  activeTime,
  endReasons,
  type SessionStatus,
  sessionStatuses,
  type TextChannelClock,
  textTurnElapsed,
} from '@sp/core';
import { createTestDatabase } from '@sp/dev-postgres/testing';
import { type SQL, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeTimeSql, textTurnElapsedSql } from '../src/index.js';

const test = await createTestDatabase({ max: 2 });

const BASE = Date.parse('2026-03-01T09:00:00Z');
/** An instant within two hours either side of BASE, on the millisecond. */
const instant = fc.integer({ min: -7_200_000, max: 7_200_000 }).map((ms) => new Date(BASE + ms));
/** A stored figure in seconds, on the millisecond as every write leaves it. */
const storedSeconds = fc.integer({ min: 0, max: 4_000_000 }).map((ms) => ms / 1000);
/** Any figure a column could hold, off the millisecond grid too, half milliseconds above all. */
const anySeconds = fc.oneof(
  fc.double({ min: 0, max: 4000, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 3_999_999 }).map((ms) => (ms + 0.5) / 1000),
);

interface Row extends TextChannelClock {
  now: Date;
  gapCapSeconds: number;
}

function rowOf(seconds: fc.Arbitrary<number>): fc.Arbitrary<Row> {
  return fc
    .record({
      status: fc.constantFrom(...sessionStatuses),
      durationLimit: fc.oneof(fc.integer({ min: 1, max: 3600 }), fc.constantFrom(60, 600)),
      elapsedActiveTime: seconds,
      segmentBase: seconds,
      connectedSince: fc.option(instant, { nil: null }),
      lastActivity: fc.option(instant, { nil: null }),
      channel: fc.constantFrom<TextChannelClock['channel'][]>('voice', 'text'),
      now: instant,
      gapCapSeconds: fc.integer({ min: 0, max: 300 }),
      endReason: fc.constantFrom(...endReasons),
    })
    .map(({ endReason, ...row }) => ({
      ...row,
      status: row.status as SessionStatus,
      endReason: row.status === 'ended' ? endReason : null,
      reconnectCount: 0,
      lastDisconnectAt: null,
      createdAt: new Date(BASE),
      startTime: null,
      textTurnStartedAt: null,
    }));
}

/** The row set the expressions read, as the `sessions` table they name. */
const asSessions = (rows: Row[]) =>
  sql`jsonb_to_recordset(${JSON.stringify(
    rows.map((row, i) => ({
      i,
      status: row.status,
      duration_limit: row.durationLimit,
      elapsed_active_time: row.elapsedActiveTime,
      segment_base: row.segmentBase,
      connected_since: row.connectedSince?.toISOString() ?? null,
      last_activity: row.lastActivity?.toISOString() ?? null,
      channel: row.channel,
      now: row.now.toISOString(),
      gap_cap: row.gapCapSeconds,
    })),
  )}::jsonb) as sessions(i int, status text, duration_limit int, elapsed_active_time float8, segment_base float8,
    connected_since timestamptz, last_activity timestamptz, channel text, now timestamptz, gap_cap int)`;

const rowNow = sql.raw('"sessions"."now"');

/** Each row's figures from the SQL, in row order. */
async function evaluate(rows: Row[], expression: (gapCap: SQL) => SQL): Promise<number[]> {
  const result = await test.db.execute<{ i: number; value: number }>(
    sql`select "sessions"."i" as i, ${expression(sql.raw('"sessions"."gap_cap"'))} as value from ${asSessions(rows)}`,
  );
  const values = new Array<number>(rows.length);
  for (const { i, value } of result) values[i] = Number(value);
  return values;
}

/** The rows whose two figures differ by more than `tolerance` seconds, with both figures. */
function disagreements(rows: Row[], fromSql: number[], fromTs: number[], tolerance: number) {
  return rows
    .map((row, i) => ({ row, sql: fromSql[i], ts: fromTs[i] }))
    .filter(({ sql: s, ts }) => s === undefined || Math.abs(s - (ts as number)) > tolerance);
}

const RUNS = { numRuns: 100 };
const batch = (seconds: fc.Arbitrary<number>) => fc.array(rowOf(seconds), { minLength: 1, maxLength: 250 });

describe('the session clock in TypeScript and in SQL', () => {
  it('activeTime and activeTimeSql give the same active seconds for every row', async () => {
    await fc.assert(
      fc.asyncProperty(batch(storedSeconds), async (rows) => {
        // The SQL reads the gap cap's column too (unused here): one query shape for both properties.
        const fromSql = await evaluate(rows, () => activeTimeSql(rowNow));
        const fromTs = rows.map((row) => activeTime(row, row.now));
        expect(disagreements(rows, fromSql, fromTs, 0)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('textTurnElapsed and textTurnElapsedSql charge a text turn the same', async () => {
    await fc.assert(
      fc.asyncProperty(batch(storedSeconds), async (rows) => {
        const fromSql = await evaluate(rows, (gapCap) => textTurnElapsedSql(gapCap, rowNow));
        const fromTs = rows.map((row) => textTurnElapsed(row, row.now, row.gapCapSeconds));
        expect(disagreements(rows, fromSql, fromTs, 0)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('agree within a millisecond on figures off the millisecond grid', async () => {
    await fc.assert(
      fc.asyncProperty(batch(anySeconds), async (rows) => {
        const fromSql = await evaluate(rows, () => activeTimeSql(rowNow));
        const fromTs = rows.map((row) => activeTime(row, row.now));
        expect(disagreements(rows, fromSql, fromTs, 0.001 + 1e-9)).toEqual([]);
      }),
      RUNS,
    );
  });
});
