/**
 * The CSV exports: sessions with scores, transcripts one row per turn; filtered like the list, streamed
 * in batches (every row once, across batch boundaries), RFC 4180 quoting and formulas neutralised.
 */
import { randomUUID } from 'node:crypto';
import { SESSIONS_CSV_COLUMNS, TRANSCRIPT_CSV_COLUMNS } from '@sp/core';
import { gradeReports, latestVersionId, sessionMessages, sessions } from '@sp/db';
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { newRoomName } from '../src/http/livekit.js';
import { buildTestApp, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const db = test.db.db;
const tenantId = test.tenant.id;
const instructor = await tokenFor({ userId: 'ines', tenantId, role: 'instructor' });

/** RFC 4180 read back: quoted fields may hold commas, doubled quotes, CR and LF; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field, 'the body ends with CRLF').toBe('');
  return records;
}

async function download(path: string, token = instructor) {
  const res = await test.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { res, text: await res.text() };
}

const cs = await insertCaseStudy(db, tenantId, { title: 'Pain, "acute"\nward 3', maxAttempts: 10 });
const tricky = await insertSession(db, {
  tenantId,
  userId: '=HYPERLINK("http://evil.example","click")',
  contentId: cs.id,
  status: 'ended',
  endReason: 'user_ended',
  gradingStatus: 'completed',
  createdAt: new Date(Date.UTC(2026, 2, 2, 9)),
  elapsedActiveTime: 300.5,
});
await db.insert(gradeReports).values({
  sessionId: tricky.id,
  tenantId,
  status: 'completed',
  grader: 'model',
  score: 87.5,
  items: [],
  completedAt: new Date(),
});
const turns = [
  'Hello, doctor.',
  'She said "it burns"\r\nthen left',
  '+1 555 0100',
  '@mention -5 =SUM(A1)',
  '\tindented',
];
await db.insert(sessionMessages).values(
  turns.map((content, i) => ({
    sessionId: tricky.id,
    sequence: i + 1,
    role: i % 2 ? ('user' as const) : ('assistant' as const),
    content,
    timestamp: new Date(Date.UTC(2026, 2, 2, 9, 1, i)),
  })),
);
const plain = await insertSession(db, {
  tenantId,
  userId: 'ben',
  contentId: cs.id,
  status: 'active',
  createdAt: new Date(Date.UTC(2026, 2, 1, 9)),
});

describe('GET /v1/admin/exports/sessions.csv', () => {
  it('answers CSV with the header, one record per session, quoted and with formulas neutralised', async () => {
    const { res, text } = await download(`/v1/admin/exports/sessions.csv?content_id=${cs.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="sessions.csv"');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...SESSIONS_CSV_COLUMNS]);
    expect(rows).toHaveLength(2);
    const row = Object.fromEntries(SESSIONS_CSV_COLUMNS.map((c, i) => [c, rows[0]?.[i]]));
    expect(row).toMatchObject({
      session_id: tricky.id,
      user_id: `'=HYPERLINK("http://evil.example","click")`,
      case_title: 'Pain, "acute"\nward 3',
      status: 'ended',
      end_reason: 'user_ended',
      ended_by: '',
      elapsed_active_time: '300.5',
      score: '87.5',
      grader_score: '87.5',
      grader: 'model',
    });
    expect(rows[1]?.[0]).toBe(plain.id);
    expect(text.startsWith(`${SESSIONS_CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
  });

  it('applies the list filters', async () => {
    const { text } = await download(`/v1/admin/exports/sessions.csv?content_id=${cs.id}&status=active`);
    expect(
      parseCsv(text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([plain.id]);
    const scored = await download(`/v1/admin/exports/sessions.csv?content_id=${cs.id}&min_score=80`);
    expect(
      parseCsv(scored.text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual([tricky.id]);
    const bad = await download('/v1/admin/exports/sessions.csv?min_score=101');
    expect(bad.res.status).toBe(422);
  });

  it('streams every session once across batches, newest first, even when they were created at the same instant', async () => {
    const bulk = await insertCaseStudy(db, tenantId);
    const createdAt = new Date(Date.UTC(2026, 5, 1, 12));
    const rows = Array.from({ length: 1203 }, (_, i) => ({
      id: randomUUID(),
      tenantId,
      userId: `bulk-${i}`,
      contentId: bulk.id,
      caseStudyVersionId: latestVersionId(bulk.id),
      roomName: newRoomName(),
      attemptNumber: 1,
      status: 'ended' as const,
      isActive: false,
      endReason: 'user_ended' as const,
      createdAt,
    }));
    await db.insert(sessions).values(rows);
    const { text } = await download(`/v1/admin/exports/sessions.csv?content_id=${bulk.id}`);
    const ids = parseCsv(text)
      .slice(1)
      .map((r) => r[0]);
    expect(ids).toHaveLength(1203);
    expect(new Set(ids).size).toBe(1203);
    expect(ids).toEqual(
      rows
        .map((r) => r.id)
        .sort()
        .reverse(),
    );
  });
});

describe('GET /v1/admin/exports/transcripts.csv', () => {
  it('answers one record per turn in sequence order, each field read back as written', async () => {
    const { res, text } = await download(`/v1/admin/exports/transcripts.csv?content_id=${cs.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="transcripts.csv"');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...TRANSCRIPT_CSV_COLUMNS]);
    const content = TRANSCRIPT_CSV_COLUMNS.indexOf('content');
    expect(rows.map((r) => r[content])).toEqual([
      'Hello, doctor.',
      'She said "it burns"\r\nthen left',
      "'+1 555 0100",
      "'@mention -5 =SUM(A1)",
      "'\tindented",
    ]);
    expect(rows.map((r) => r[TRANSCRIPT_CSV_COLUMNS.indexOf('sequence')])).toEqual(['1', '2', '3', '4', '5']);
    expect(rows[1]?.slice(0, 6)).toEqual([
      tricky.id,
      `'=HYPERLINK("http://evil.example","click")`,
      cs.id,
      '2',
      'user',
      'voice',
    ]);
  });
});

describe('the exports across tenants and roles', () => {
  it("leave out another tenant's sessions and refuse students", async () => {
    const elsewhere = await insertTenant(db);
    const outsider = await tokenFor({ userId: 'oscar', tenantId: elsewhere.id, role: 'admin' });
    const theirs = await download('/v1/admin/exports/sessions.csv', outsider);
    expect(parseCsv(theirs.text)).toEqual([[...SESSIONS_CSV_COLUMNS]]);
    const transcripts = await download(`/v1/admin/exports/transcripts.csv?content_id=${cs.id}`, outsider);
    expect(parseCsv(transcripts.text)).toEqual([[...TRANSCRIPT_CSV_COLUMNS]]);
    const student = await studentOf(test);
    expect((await download('/v1/admin/exports/sessions.csv', student.token)).res.status).toBe(403);
  });
});
