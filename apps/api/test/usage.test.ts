/** GET /v1/usage: active minutes of ended sessions per tenant, student, case and day. */
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, tokenFor } from './support.js';

const test = await buildTestApp();
const caseA = await insertCaseStudy(test.db.db, test.tenant.id, { maxAttempts: 50 });
const caseB = await insertCaseStudy(test.db.db, test.tenant.id, { maxAttempts: 50 });
const other = await insertTenant(test.db.db);
const otherCase = await insertCaseStudy(test.db.db, other.id);

async function ended(userId: string, contentId: string, seconds: number, endTime: string, tenantId = test.tenant.id) {
  return insertSession(test.db.db, {
    tenantId,
    userId,
    contentId,
    status: 'ended',
    endReason: 'user_ended',
    startTime: new Date(Date.parse(endTime) - seconds * 1000),
    endTime: new Date(endTime),
    elapsedActiveTime: seconds,
  });
}

// The fixture: what each figure below is summed from.
await ended('ana', caseA.id, 61, '2026-03-01T10:00:00Z'); // 2 minutes
await ended('ana', caseA.id, 600, '2026-03-01T15:00:00Z'); // 10 minutes
await ended('ana', caseB.id, 0.5, '2026-03-02T09:00:00Z'); // 1 minute
await ended('ben', caseA.id, 120, '2026-03-02T11:00:00Z'); // 2 minutes
await ended('ben', caseB.id, 59.25, '2026-03-05T11:00:00Z'); // 1 minute
await insertSession(test.db.db, {
  tenantId: test.tenant.id,
  userId: 'ben',
  contentId: caseA.id,
  status: 'active',
  elapsedActiveTime: 300,
});
await insertSession(test.db.db, {
  tenantId: test.tenant.id,
  userId: 'ben',
  contentId: caseB.id,
  status: 'ended',
  endReason: 'pending_timeout',
  endTime: new Date('2026-03-02T12:00:00Z'),
});
await ended('ana', otherCase.id, 900, '2026-03-01T10:00:00Z', other.id);

const instructor = await tokenFor({ userId: 'ines', tenantId: test.tenant.id, role: 'instructor' });
const ana = await tokenFor({ userId: 'ana', tenantId: test.tenant.id, role: 'student' });
const usage = (token: string, query = '') => send(test.app, 'GET', `/v1/usage${query}`, { token });

describe('GET /v1/usage', () => {
  it("sums the tenant's ended sessions: raw seconds, and minutes rounded up per session", async () => {
    const { status, body } = await usage(instructor);

    expect(status).toBe(200);
    expect(body.data.rows).toEqual([{ tenant_id: test.tenant.id, sessions: 5, active_seconds: 840.75, minutes: 16 }]);
    expect(body.data.totals).toEqual({ sessions: 5, active_seconds: 840.75, minutes: 16 });
  });

  it('groups by student, case and day, and filters by a date range', async () => {
    const { body } = await usage(instructor, '?group_by=student,day&from=2026-03-01&to=2026-03-02');

    expect(body.data.group_by).toEqual(['student', 'day']);
    expect(body.data.rows).toEqual([
      { tenant_id: test.tenant.id, user_id: 'ana', day: '2026-03-01', sessions: 2, active_seconds: 661, minutes: 12 },
      { tenant_id: test.tenant.id, user_id: 'ana', day: '2026-03-02', sessions: 1, active_seconds: 0.5, minutes: 1 },
      { tenant_id: test.tenant.id, user_id: 'ben', day: '2026-03-02', sessions: 1, active_seconds: 120, minutes: 2 },
    ]);

    const byCase = await usage(instructor, '?group_by=case');
    const rows = Object.fromEntries(byCase.body.data.rows.map((r: { content_id: string }) => [r.content_id, r]));
    expect(rows[caseA.id]).toMatchObject({ sessions: 3, active_seconds: 781, minutes: 14 });
    expect(rows[caseB.id]).toMatchObject({ sessions: 2, active_seconds: 59.75, minutes: 2 });
  });

  it('shows a student only their own usage, and refuses another student with 403', async () => {
    const own = await usage(ana, '?group_by=student');
    expect(own.status).toBe(200);
    expect(own.body.data.rows).toEqual([
      { tenant_id: test.tenant.id, user_id: 'ana', sessions: 3, active_seconds: 661.5, minutes: 13 },
    ]);

    const named = await usage(ana, '?user_id=ana');
    expect(named.body.data.totals.minutes).toBe(13);

    const refused = await usage(ana, '?user_id=ben');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  it('answers 422 naming a bad grouping or range', async () => {
    for (const [query, field] of [
      ['?group_by=week', 'group_by'],
      ['?from=2026-03-05&to=2026-03-01', 'from'],
      ['?from=yesterday', 'from'],
    ]) {
      const { status, body } = await usage(instructor, query);
      expect(status, query).toBe(422);
      expect(body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
  });
});
