/** GET /v1/admin/sessions: the staff list of the tenant's sessions, filtered by a top-level metadata key. */
import { insertCaseStudy, insertSession, insertTenant } from '@sp/dev-postgres/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf, tokenFor } from './support.js';

const test = await buildTestApp();
const instructor = await tokenFor({ userId: 'ines', tenantId: test.tenant.id, role: 'instructor' });
const list = (query: string, token = instructor) => send(test.app, 'GET', `/v1/admin/sessions${query}`, { token });
const ids = (body: { data: { id: string }[] }) => body.data.map((s) => s.id).sort();

const cs = await insertCaseStudy(test.db.db, test.tenant.id, { maxAttempts: 50, externalId: 'lms-77' });
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute));
const make = (userId: string, metadata: Record<string, unknown>, minute: number) =>
  insertSession(test.db.db, {
    tenantId: test.tenant.id,
    userId,
    contentId: cs.id,
    status: 'ended',
    endReason: 'user_ended',
    metadata,
    createdAt: at(minute),
  });
const a = await make('ana', { cohort: '2026-A', lms: { course: 1 } }, 1);
const b = await make('ben', { cohort: '2026-B' }, 2);
const c = await make('ana', { year: 3 }, 3);
const d = await make('cal', {}, 4);
const elsewhere = await insertTenant(test.db.db);
const foreignCase = await insertCaseStudy(test.db.db, elsewhere.id);
await insertSession(test.db.db, {
  tenantId: elsewhere.id,
  userId: 'ana',
  contentId: foreignCase.id,
  metadata: { cohort: '2026-A' },
});

describe('GET /v1/admin/sessions', () => {
  it("lists the tenant's sessions newest first, with student and metadata", async () => {
    const { status, body } = await list('');
    expect(status).toBe(200);
    expect(body.data.map((s: { id: string }) => s.id)).toEqual([d.id, c.id, b.id, a.id]);
    expect(body.data[3]).toMatchObject({ user_id: 'ana', metadata: { cohort: '2026-A', lms: { course: 1 } } });
    expect(body.total).toBe(4);
  });

  it('filters by a top-level metadata key, and by its value', async () => {
    expect(ids((await list('?metadata_key=cohort')).body)).toEqual([a.id, b.id].sort());
    expect(ids((await list('?metadata_key=cohort&metadata_value=2026-B')).body)).toEqual([b.id]);
    expect(ids((await list('?metadata_key=year&metadata_value=3')).body)).toEqual([c.id]);
    expect(ids((await list('?metadata_key=course')).body)).toEqual([]);
    expect(ids((await list('?metadata_key=cohort&user_id=ana')).body)).toEqual([a.id]);
    expect(ids((await list('?content_id=lms-77&metadata_key=cohort')).body)).toEqual([a.id, b.id].sort());
  });

  it('refuses students (403) and a value without a key (422)', async () => {
    const student = await studentOf(test);
    expect((await list('', student.token)).status).toBe(403);
    const bad = await list('?metadata_value=x');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['metadata_value']);
  });
});
