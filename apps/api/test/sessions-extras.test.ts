/**
 * What initialize takes beyond the case: free-form metadata and a context for
 * the patient, and the client's own content ids (a case study's external id).
 */
import { caseStudies, sessions } from '@sp/db';
import { insertCaseStudy, insertTenant } from '@sp/dev-postgres/testing';
import { modelConfig, modelProvider } from '@sp/models';
import { collectEventStream, startOpenAIServer } from '@sp/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, send, studentOf } from './support.js';

const model = await startOpenAIServer();
afterAll(() => model.close());
model.onChat(() => ({ content: 'Second year, you said? Well, it started a week ago.' }));
const test = await buildTestApp({
  models: modelProvider(modelConfig({ OPENAI_BASE_URL: model.baseURL, PATIENT_MODEL: 'patient-test' })),
});

/** A JSON object whose serialized form is exactly `length` characters. */
function metadataOf(length: number) {
  const value = { note: '' };
  value.note = 'x'.repeat(length - JSON.stringify(value).length);
  expect(JSON.stringify(value)).toHaveLength(length);
  return value;
}

const badFields = (body: { error: { details: { fields: { field: string }[] } } }) =>
  body.error.details.fields.map((f) => f.field);

describe('metadata at initialize', () => {
  it('stores any JSON object and answers it on every session answer; {} when absent', async () => {
    const student = await studentOf(test);
    const metadata = { cohort: '2026-A', lms: { course: 42, tags: ['ob', 'gyn'] }, graded: true };

    const started = await student.initialize({ content_id: test.caseStudy.id, metadata });
    const id = started.body.data.session.id;
    const read = await student.get(`/v1/sessions/${id}`);
    const ended = await student.end(id);

    expect(started.status).toBe(200);
    expect(started.body.data.session.metadata).toEqual(metadata);
    expect(read.body.data.metadata).toEqual(metadata);
    expect(ended.body.data.metadata).toEqual(metadata);
    const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, id));
    expect(row?.metadata).toEqual(metadata);

    const plain = await (await studentOf(test)).initialize({ content_id: test.caseStudy.id });
    expect(plain.body.data.session.metadata).toEqual({});
  });

  it('accepts 16,000 characters serialized and refuses 16,001 with 422 naming metadata, creating nothing', async () => {
    const student = await studentOf(test);

    const over = await student.initialize({ content_id: test.caseStudy.id, metadata: metadataOf(16_001) });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('VALIDATION_ERROR');
    expect(badFields(over.body)).toEqual(['metadata']);
    expect(await test.db.db.select().from(sessions).where(eq(sessions.userId, student.caller.userId))).toHaveLength(0);

    const exact = await student.initialize({ content_id: test.caseStudy.id, metadata: metadataOf(16_000) });
    expect(exact.status).toBe(200);
    expect(JSON.stringify(exact.body.data.session.metadata)).toHaveLength(16_000);
  });

  it('refuses metadata that is not an object, and metadata or context on a resume', async () => {
    const student = await studentOf(test);
    for (const metadata of [[1, 2], 'text', null, 3]) {
      const { status, body } = await student.initialize({ content_id: test.caseStudy.id, metadata });
      expect(status, JSON.stringify(metadata)).toBe(422);
      expect(badFields(body)).toEqual(['metadata']);
    }
    const started = await student.initialize({ content_id: test.caseStudy.id });
    const resume = await student.initialize({
      content_id: test.caseStudy.id,
      session_id: started.body.data.session.id,
      context: 'Year 3',
    });
    expect(resume.status).toBe(422);
    expect(badFields(resume.body)).toEqual(['session_id']);
  });
});

describe('context at initialize', () => {
  it('accepts 16,000 characters and refuses 16,001 with 422 naming context', async () => {
    const student = await studentOf(test);
    const over = await student.initialize({ content_id: test.caseStudy.id, context: 'y'.repeat(16_001) });
    expect(over.status).toBe(422);
    expect(badFields(over.body)).toEqual(['context']);

    const exact = await student.initialize({ content_id: test.caseStudy.id, context: 'y'.repeat(16_000) });
    expect(exact.status).toBe(200);
    const [row] = await test.db.db.select().from(sessions).where(eq(sessions.id, exact.body.data.session.id));
    expect(row?.context).toHaveLength(16_000);
  });

  it("reaches the text patient's instructions, after the case's own", async () => {
    const student = await studentOf(test);
    const context = 'The student is in their second year of medical school.';
    const started = await send(test.app, 'POST', '/v1/sessions/initialize', {
      token: student.token,
      json: { content_id: test.caseStudy.id, channel: 'text', context },
    });
    model.reset();
    model.onChat(() => ({ content: 'It started a week ago.' }));

    const res = await test.app.request(`/v1/sessions/${started.body.data.session.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'When did it start?' }),
    });
    expect(res.status).toBe(200);
    await collectEventStream(res);

    const system = String(model.chatRequests()[0]?.messages[0]?.content);
    expect(system).toContain(context);
    expect(system.indexOf(context)).toBeGreaterThan(system.indexOf(test.caseStudy.persona.personality));
    expect(system.indexOf(context)).toBeGreaterThan(system.indexOf(test.caseStudy.facts[0]?.content ?? '?'));
  });
});

describe('content ids from the client', () => {
  it("initializes, resumes and lists by a case study's external id", async () => {
    const externalId = '6650e5f6a7b8c9d0e1f2a3b4';
    const cs = await insertCaseStudy(test.db.db, test.tenant.id, { externalId });
    const student = await studentOf(test);

    const started = await student.initialize({ content_id: externalId });
    expect(started.status).toBe(200);
    expect(started.body.data.session.content_id).toBe(cs.id);

    const resumed = await student.initialize({ content_id: externalId, session_id: started.body.data.session.id });
    expect(resumed.status).toBe(200);
    expect(resumed.body.data.is_resume).toBe(true);

    const listed = await student.get(`/v1/sessions?content_id=${externalId}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([started.body.data.session.id]);
    const again = await student.initialize({ content_id: cs.id });
    expect(again.status).toBe(409);
    expect(again.body.error.details.session_id).toBe(started.body.data.session.id);
  });

  it('answers 404 NOT_FOUND, never 422, for an id that names no case study of the tenant', async () => {
    const elsewhere = await insertTenant(test.db.db);
    await insertCaseStudy(test.db.db, elsewhere.id, { externalId: 'abc-foreign' });
    const student = await studentOf(test);
    for (const contentId of ['6650e5f6a7b8c9d0e1f2a3b5', 'abc-foreign', 'not a uuid at all', crypto.randomUUID()]) {
      const { status, body } = await student.initialize({ content_id: contentId });
      expect(status, contentId).toBe(404);
      expect(body.error.code).toBe('NOT_FOUND');
    }
    const listed = await student.get('/v1/sessions?content_id=6650e5f6a7b8c9d0e1f2a3b5');
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([]);
  });

  it('keeps external ids unique per tenant, and free across tenants', async () => {
    await insertCaseStudy(test.db.db, test.tenant.id, { externalId: 'dup-1' });
    await expect(insertCaseStudy(test.db.db, test.tenant.id, { externalId: 'dup-1' })).rejects.toThrow();
    const other = await insertTenant(test.db.db);
    const foreign = await insertCaseStudy(test.db.db, other.id, { externalId: 'dup-1' });
    const rows = await test.db.db.select().from(caseStudies).where(eq(caseStudies.externalId, 'dup-1'));
    expect(rows.map((r) => r.tenantId).sort()).toEqual([test.tenant.id, foreign.tenantId].sort());
  });
});
