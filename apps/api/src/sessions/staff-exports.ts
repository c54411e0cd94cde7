/**
 * GET /v1/admin/exports/sessions.csv and /transcripts.csv: the list's filters, streamed a batch at a time
 * (the database is read as the client reads, never the whole export into memory), RFC 4180 with
 * spreadsheet formulas neutralised (@sp/core csv.ts).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  type CsvValue,
  csvRecord,
  SESSIONS_CSV_COLUMNS,
  staffSessionFiltersSchema,
  TRANSCRIPT_CSV_COLUMNS,
} from '@sp/core';
import { type Database, type SessionMessage, sessionMessages } from '@sp/db';
import { asc, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AppEnv } from '../http/app-context.js';
import type { Services } from '../http/deps.js';
import { authErrors, errors, security } from '../http/openapi.js';
import { type StaffSessionRow, staffSessionBatches, staffSessionWhere } from './staff-queries.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function csvAnswer(columns: readonly string[], description: string) {
  return {
    content: { 'text/csv': { schema: z.string().meta({ description: `Header: ${columns.join(',')}` }) } },
    description,
  };
}

const staffErrors = errors({
  ...authErrors,
  403: "FORBIDDEN: instructors and admins only, or the token's tenant is not registered",
  422: 'VALIDATION_ERROR: a bad filter value',
});

const sessionsCsvRoute = createRoute({
  method: 'get',
  path: '/exports/sessions.csv',
  tags: ['admin'],
  summary: 'Your tenant’s sessions with their scores as CSV, filtered like the session list, newest first',
  security,
  request: { query: staffSessionFiltersSchema },
  responses: { 200: csvAnswer(SESSIONS_CSV_COLUMNS, 'One row per session'), ...staffErrors },
});

const transcriptsCsvRoute = createRoute({
  method: 'get',
  path: '/exports/transcripts.csv',
  tags: ['admin'],
  summary: 'The transcripts of your tenant’s sessions as CSV, one row per turn, filtered like the session list',
  security,
  request: { query: staffSessionFiltersSchema },
  responses: { 200: csvAnswer(TRANSCRIPT_CSV_COLUMNS, 'One row per turn, sessions newest first'), ...staffErrors },
});

function sessionRecord({ session, ...row }: StaffSessionRow): CsvValue[] {
  const values: Record<(typeof SESSIONS_CSV_COLUMNS)[number], CsvValue> = {
    session_id: session.id,
    user_id: session.userId,
    content_id: session.contentId,
    case_title: row.caseTitle,
    status: session.status,
    end_reason: session.endReason,
    ended_by: session.endedBy,
    channel: session.channel,
    attempt_number: session.attemptNumber,
    created_at: iso(session.createdAt),
    start_time: iso(session.startTime),
    end_time: iso(session.endTime),
    elapsed_active_time: row.liveElapsed,
    duration_limit: session.durationLimit,
    grading_status: session.gradingStatus,
    grader: row.grader,
    score: row.score,
    grader_score: row.graderScore ?? row.score,
  };
  return SESSIONS_CSV_COLUMNS.map((column) => values[column]);
}

function transcriptRecord(session: StaffSessionRow['session'], turn: SessionMessage): CsvValue[] {
  const values: Record<(typeof TRANSCRIPT_CSV_COLUMNS)[number], CsvValue> = {
    session_id: session.id,
    user_id: session.userId,
    content_id: session.contentId,
    sequence: turn.sequence,
    role: turn.role,
    channel: turn.channel,
    timestamp: turn.timestamp.toISOString(),
    content: turn.content,
  };
  return TRANSCRIPT_CSV_COLUMNS.map((column) => values[column]);
}

/** The turns of a batch of sessions, session by session in the batch's order, each in sequence order. */
async function transcriptRecords(db: Database, rows: StaffSessionRow[]): Promise<CsvValue[][]> {
  const turns = await db
    .select()
    .from(sessionMessages)
    .where(
      inArray(
        sessionMessages.sessionId,
        rows.map((row) => row.session.id),
      ),
    )
    .orderBy(asc(sessionMessages.sessionId), asc(sessionMessages.sequence));
  const bySession = new Map<string, SessionMessage[]>();
  for (const turn of turns) {
    const list = bySession.get(turn.sessionId);
    if (list) list.push(turn);
    else bySession.set(turn.sessionId, [turn]);
  }
  return rows.flatMap(({ session }) =>
    (bySession.get(session.id) ?? []).map((turn) => transcriptRecord(session, turn)),
  );
}

/** A body that reads the next batch only when the client has taken the previous one. */
function csvBody(
  header: readonly string[],
  batches: AsyncGenerator<StaffSessionRow[]>,
  records: (batch: StaffSessionRow[]) => Promise<CsvValue[][]>,
  log: Logger,
) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRecord(header)));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) return controller.close();
        const lines = (await records(next.value)).map(csvRecord).join('');
        controller.enqueue(encoder.encode(lines));
      } catch (error) {
        // Headers are gone already: the client sees a cut-off body, and the log says why.
        log.error({ err: error }, 'csv export failed mid-stream');
        controller.error(error);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

const csvHeaders = (filename: string) => ({
  'Content-Type': 'text/csv; charset=utf-8',
  'Content-Disposition': `attachment; filename="${filename}"`,
  'Cache-Control': 'no-store',
});

/** Sessions per batch: the transcripts export reads every turn of a batch at once, so its batches are smaller. */
const SESSION_BATCH = 500;
const TRANSCRIPT_BATCH = 25;

export function exportRoutes({ db }: Services) {
  return new OpenAPIHono<AppEnv>()
    .openapi(sessionsCsvRoute, (c) => {
      const where = staffSessionWhere(c.var.auth.tenantId, c.req.valid('query'));
      const batches = staffSessionBatches(db, where, SESSION_BATCH);
      const body = csvBody(SESSIONS_CSV_COLUMNS, batches, async (rows) => rows.map(sessionRecord), c.var.log);
      return c.body(body, 200, csvHeaders('sessions.csv'));
    })
    .openapi(transcriptsCsvRoute, (c) => {
      const where = staffSessionWhere(c.var.auth.tenantId, c.req.valid('query'));
      const batches = staffSessionBatches(db, where, TRANSCRIPT_BATCH);
      const body = csvBody(TRANSCRIPT_CSV_COLUMNS, batches, (rows) => transcriptRecords(db, rows), c.var.log);
      return c.body(body, 200, csvHeaders('transcripts.csv'));
    });
}
